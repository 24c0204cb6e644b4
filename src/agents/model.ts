import { ChatOpenAI } from '@langchain/openai';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { OfflineChatModel } from './offline-model/index.js';

export interface ModelSettings {
  apiKey?: string | undefined;
  baseURL?: string | undefined;
  model: string;
  timeZone: string;
  currency: string;
}

/**
 * An OpenAI-compatible model when an endpoint is configured (OpenAI, Ollama,
 * vLLM, llama.cpp), otherwise the offline model, which emits the same tool calls.
 */
export function createChatModel(settings: ModelSettings, clock: Clock): BaseChatModel {
  if (settings.apiKey || settings.baseURL) {
    return new ChatOpenAI({
      model: settings.model,
      temperature: 0,
      // Local servers such as Ollama accept any key, but the client insists on one.
      apiKey: settings.apiKey ?? 'not-needed',
      configuration: settings.baseURL ? { baseURL: settings.baseURL } : {},
      maxRetries: 2,
    });
  }
  return new OfflineChatModel({ clock, timeZone: settings.timeZone, defaultCurrency: settings.currency });
}

/** Zod tool schemas in the OpenAI function format every chat model here accepts. */
export const toolDefinitions = (tools: Record<string, z.ZodType>) =>
  Object.entries(tools).map(([name, schema]) => ({
    type: 'function' as const,
    function: { name, description: schema.description ?? name, parameters: z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown> },
  }));
