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
  /** One call's limit; the client aborts past it. */
  timeoutMs?: number;
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
      // Keel bounds and retries each call itself (model-call.ts: timeout, Retry-After, a per-request budget); the SDK's own 600 s × 3 would hold the thread.
      maxRetries: 0,
      ...(settings.timeoutMs ? { timeout: settings.timeoutMs } : {}),
    });
  }
  return new OfflineChatModel({ clock, timeZone: settings.timeZone, defaultCurrency: settings.currency });
}

/**
 * Zod tool schemas in the OpenAI function format every chat model here accepts,
 * kept lean because they ride along on every call: no `$schema`, the tool's
 * description once (not again inside its parameters), no regular expression
 * where a `format` says the same, and `additionalProperties: false` on every
 * object so strict mode accepts them.
 */
export const toolDefinitions = (tools: Record<string, z.ZodType>) =>
  Object.entries(tools).map(([name, schema]) => {
    const { $schema: _schema, description: _description, ...parameters } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
    return { type: 'function' as const, function: { name, description: schema.description ?? name, parameters: closed(parameters) } };
  });

function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>).map(([key, value]) => [key, closed(value)] as const);
  const object = Object.fromEntries(entries);
  // A string with a `format` (date, date-time) needs no `pattern` spelling it out: zod's date-time one is ~500
  // characters on every call; the tool's zod schema still checks what comes back.
  if (typeof object.format === 'string') delete object.pattern;
  return object.type === 'object' ? { ...object, additionalProperties: false } : object;
}
