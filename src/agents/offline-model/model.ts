import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import { isOpenAITool } from '@langchain/core/language_models/base';
import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams, type BindToolsInput } from '@langchain/core/language_models/chat_models';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { AIMessage, AIMessageChunk, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { canonicalJson, sha256Hex } from '../../core/ids.js';
import { agentNames, agentTools, type AgentName, type AgentToolArgs, type AgentToolName, type coordinatorTools } from '../intents.js';
import { scopes } from '../scopes.js';
import { describeCapabilities } from './capabilities.js';
import { assertTimeZone } from './dates.js';
import type { ParsedIntent, PaymentLookup } from './intent.js';
import { parseIntent, splitRequests, type RequestPart } from './parse.js';

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
    const request = lastHumanText(messages);
    const parsing = { now: this.clock.now(), timeZone: this.timeZone, defaultCurrency: this.defaultCurrency };
    const intent = parseIntent(request, parsing);
    // The coordinator may also split off a payment named by its payer, whose agent looks its invoice up first.
    const parts = splitRequests(request, parsing, { lookups: bound.has('route') });
    // Requests of this message that belong to another agent: this one cannot do them, and says so.
    const elsewhere = parts === undefined || bound.has('route') ? [] : parts.filter((part) => !bound.has(part.intent.tool));
    const results = trailingToolResults(messages);
    let calls: ToolCallOut[];
    if (results.length > 0) {
      // The open invoices it asked for arrived: pay the one that fits, or ask which.
      const lookup = intent.kind === 'clarify' ? intent.lookup : undefined;
      const listed = lookup !== undefined && lastCallName(messages) === 'list_invoices' ? pickInvoice(results.join('\n'), lookup) : undefined;
      if (listed === undefined || typeof listed === 'string') return new AIMessage([listed ?? results.join('\n'), ...notDone(elsewhere)].join('\n'));
      calls = [listed];
    } else if (parts !== undefined && bound.has('route')) {
      // Requests for different agents in one message: one route per agent, with its own parts, in the order said;
      // a payment named by its payer goes alone, since its agent looks the invoice up before anything else.
      const routes: { agent: string; texts: string[]; lookup: boolean }[] = [];
      for (const part of parts) {
        const agent = String(coordinatorCall(part.intent, part.text).args.agent);
        const lookup = part.intent.kind === 'clarify';
        const shared = lookup ? undefined : routes.find((route) => route.agent === agent && !route.lookup);
        if (shared) shared.texts.push(part.text);
        else routes.push({ agent, texts: [part.text], lookup });
      }
      calls =
        routes.length > 1
          ? routes.map(({ agent, texts }) => ({ name: 'route', args: { agent, request: texts.join(', and ') } }))
          : [coordinatorCall(parts[0]!.intent, request)];
    } else if (parts !== undefined && elsewhere.length < parts.length) {
      calls = parts.flatMap((part) => agentCall(part.intent, bound) ?? []);
    } else {
      calls = [bound.has('route') ? coordinatorCall(intent, request) : agentCall(intent, bound)].filter((call) => call !== undefined);
    }
    calls = calls.filter((call) => bound.has(call.name));
    if (calls.length > 0) {
      // Hashing the turn too keeps ids unique when the operator repeats a request in one conversation; the
      // position keeps two calls of one message apart ("invoice beta 4h and invoice gamma 2h").
      const toolCalls = await Promise.all(
        calls.map(async (call, index) => {
          const hash = await sha256Hex(canonicalJson(index === 0 ? [messages.length, call.name, request] : [messages.length, call.name, request, index]));
          return { id: `call_${hash.slice(0, 24)}`, name: call.name, args: call.args, type: 'tool_call' as const };
        }),
      );
      return new AIMessage({ content: '', tool_calls: toolCalls });
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

/** One line per request of the message that this agent could not do. */
function notDone(parts: RequestPart[]): string[] {
  return parts.map((part) => `Not done: "${part.text}" is for another agent; send it as a message of its own.`);
}

/** The tool the model called last, whose results are the trailing tool messages. */
function lastCallName(messages: BaseMessage[]): string | undefined {
  const ai = messages.findLast((message) => AIMessage.isInstance(message));
  return ai === undefined ? undefined : (ai as AIMessage).tool_calls?.[0]?.name;
}

/** "• 2026-0003 Beta GmbH: 1,800.00 EUR, sent, …": the lines list_invoices answers with. */
const invoiceLine = /^•\s+(\S+)\s.*?:\s+([\d.,]+)\s+[A-Z]{3}\b/gm;

/**
 * From a listing of open invoices, the payment to record: the only invoice, or
 * the only one of the stated amount. Otherwise the text to answer with: the
 * listing and which number to send.
 */
function pickInvoice(listing: string, lookup: PaymentLookup): ToolCallOut | string {
  const rows = [...listing.matchAll(invoiceLine)].map((m) => ({ number: m[1]!, total: Number(m[2]!.replace(/,/g, '')) }));
  const fitting = lookup.amount === undefined ? rows : rows.filter((row) => Math.abs(row.total - lookup.amount!) < 0.005);
  const who = lookup.client ?? 'that client';
  if (fitting.length === 1) {
    const args: AgentToolArgs<'record_payment'> = { invoice: fitting[0]!.number };
    return { name: 'record_payment', args };
  }
  if (rows.length === 0) return `I found no open invoice for ${who}, so nothing was marked as paid.\n${listing}`;
  const amount = lookup.amount === undefined ? '' : ` of ${lookup.amount}`;
  return `Which invoice${amount} did ${who} pay? Send its number, e.g. "mark invoice ${rows[0]!.number} as paid".\n${listing}`;
}

function coordinatorCall(intent: ParsedIntent, request: string): ToolCallOut {
  // A payment named by payer or amount goes to the agent that can look its invoice up.
  if (intent.kind === 'tool' || (intent.kind === 'clarify' && intent.lookup !== undefined)) {
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
  if (intent.kind === 'clarify' && intent.lookup !== undefined && bound.has('list_invoices') && bound.has(intent.tool)) {
    const args: AgentToolArgs<'list_invoices'> = { status: 'sent', ...(intent.lookup.client === undefined ? {} : { client: intent.lookup.client }) };
    return { name: 'list_invoices', args };
  }
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
