import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import { isOpenAITool } from '@langchain/core/language_models/base';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
} from '@langchain/core/language_models/chat_models';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { AIMessage, AIMessageChunk, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { canonicalJson, sha256Hex } from '../../core/ids.js';
import { agentNames, agentTools, type AgentName, type AgentToolName, type coordinatorTools } from '../intents.js';
import { scopes } from '../scopes.js';
import { describeCapabilities } from './capabilities.js';
import { assertTimeZone } from './dates.js';
import type { ParsedIntent } from './intent.js';
import { parseIntent } from './parse.js';

export interface OfflineChatModelOptions extends BaseChatModelParams {
  /** Source of "now" for relative dates; the system clock unless a test drives time. */
  clock?: Pick<Clock, 'now'>;
  /** IANA zone the operator writes dates in; default UTC. */
  timeZone?: string;
  /** The operator's currency, see ParseOptions.defaultCurrency. */
  defaultCurrency?: string;
}

export interface OfflineChatModelCallOptions extends BaseChatModelCallOptions {
  /** Set by bindTools; only the names matter, because arguments always follow the intents.ts schemas. */
  tools?: BindToolsInput[];
}

type ToolCallOut = { name: string; args: Record<string, unknown> };

/**
 * Each tool's agent; find_client and recall belong to several, and sales is
 * listed first in agentNames, so sales gets them (client questions start there).
 */
const ownerOf = Object.fromEntries(
  (Object.keys(agentTools) as AgentToolName[]).map((tool) => {
    const owner = agentNames.find((agent) => scopes[agent].tools.includes(tool));
    if (owner === undefined) throw new Error(`No agent scope offers the tool ${tool}; add it to scopes.ts.`);
    return [tool, owner];
  }),
) as Record<AgentToolName, AgentName>;

/**
 * Keel's embedded model for when no model endpoint is configured: a
 * deterministic intent parser behind LangChain's chat-model interface, so the
 * agent graphs run unchanged and answer with the same tool calls ChatOpenAI
 * would make.
 */
export class OfflineChatModel extends BaseChatModel<OfflineChatModelCallOptions> {
  static override lc_name(): string {
    return 'OfflineChatModel';
  }

  private readonly clock: Pick<Clock, 'now'>;
  private readonly timeZone: string;
  private readonly defaultCurrency: string | undefined;

  constructor(options: OfflineChatModelOptions = {}) {
    super(options);
    this.clock = options.clock ?? systemClock;
    this.timeZone = options.timeZone ?? 'UTC';
    this.defaultCurrency = options.defaultCurrency;
    assertTimeZone(this.timeZone);
  }

  _llmType(): string {
    return 'keel-offline';
  }

  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<OfflineChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, OfflineChatModelCallOptions> {
    // Fail at bind time, not at the first message, when a tool cannot be named.
    tools.forEach(toolName);
    return this.withConfig({ tools, ...kwargs });
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    const message = await this.respond(messages, new Set((options.tools ?? []).map(toolName)));
    return { generations: [{ text: message.text, message }] };
  }

  /**
   * Streams the same answer as one chunk, with tool calls as tool_call_chunks
   * the way ChatOpenAI streams them, so stream consumers (LangGraph's
   * "messages" mode) concatenate it into the same tool calls.
   */
  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const message = await this.respond(messages, new Set((options.tools ?? []).map(toolName)));
    const chunk = new AIMessageChunk({
      content: message.content,
      tool_call_chunks: (message.tool_calls ?? []).map((call, index) => ({
        type: 'tool_call_chunk' as const,
        id: call.id,
        name: call.name,
        args: JSON.stringify(call.args),
        index,
      })),
    });
    await runManager?.handleLLMNewToken(message.text);
    yield new ChatGenerationChunk({ text: message.text, message: chunk });
  }

  private async respond(messages: BaseMessage[], bound: Set<string>): Promise<AIMessage> {
    const results = trailingToolResults(messages);
    // Tool results are already written for the operator; relaying them is the whole answer.
    if (results.length > 0) return new AIMessage(results.join('\n'));

    const request = lastHumanText(messages);
    const intent = parseIntent(request, { now: this.clock.now(), timeZone: this.timeZone, defaultCurrency: this.defaultCurrency });
    const call = bound.has('route') ? coordinatorCall(intent, request) : agentCall(intent, bound);
    if (call !== undefined && bound.has(call.name)) {
      // Hashing the turn too keeps ids unique when the operator repeats a request in one conversation.
      const hash = await sha256Hex(canonicalJson([messages.length, call.name, request]));
      return new AIMessage({ content: '', tool_calls: [{ id: `call_${hash.slice(0, 24)}`, name: call.name, args: call.args, type: 'tool_call' }] });
    }
    return new AIMessage(replyText(intent, request, bound));
  }
}

/** The name a bound tool is called by: LangChain tools and {name, schema} objects carry `name`, OpenAI definitions `function.name`. */
function toolName(tool: BindToolsInput): string {
  if (isOpenAITool(tool)) return tool.function.name;
  if ('name' in tool && typeof tool.name === 'string') return tool.name;
  throw new Error('OfflineChatModel.bindTools: every tool needs a name (a LangChain tool, {name, schema} or an OpenAI function definition).');
}

function trailingToolResults(messages: BaseMessage[]): string[] {
  const results: string[] = [];
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (!ToolMessage.isInstance(message)) break;
    results.unshift(message.text);
  }
  return results;
}

function lastHumanText(messages: BaseMessage[]): string {
  const human = messages.findLast((message) => HumanMessage.isInstance(message));
  return human?.text ?? '';
}

function coordinatorCall(intent: ParsedIntent, request: string): ToolCallOut {
  if (intent.kind === 'tool') {
    const args: z.infer<typeof coordinatorTools.route> = { agent: ownerOf[intent.tool], request: request.trim() };
    return { name: 'route', args };
  }
  if (intent.kind === 'clarify') {
    const args: z.infer<typeof coordinatorTools.clarify> = { question: intent.question };
    return { name: 'clarify', args };
  }
  const args: z.infer<typeof coordinatorTools.explain_capabilities> = intent.unknown === undefined ? {} : { unknown: intent.unknown };
  return { name: 'explain_capabilities', args };
}

function agentCall(intent: ParsedIntent, bound: Set<string>): ToolCallOut | undefined {
  return intent.kind === 'tool' && bound.has(intent.tool) ? { name: intent.tool, args: intent.args } : undefined;
}

/** Without a matching tool the model answers in text: the question it needs answered, or what it can do. */
function replyText(intent: ParsedIntent, request: string, bound: Set<string>): string {
  const own = (Object.keys(agentTools) as AgentToolName[]).filter((tool) => bound.has(tool));
  if (intent.kind === 'clarify' && bound.has(intent.tool)) return intent.question;
  if (intent.kind === 'help' && intent.unknown === undefined) return `Hi! ${describeCapabilities(own)}`;
  const quoted = intent.kind === 'help' ? intent.unknown : request.trim().slice(0, 200);
  return `Sorry, I don't understand "${quoted}". ${describeCapabilities(own)}`;
}
