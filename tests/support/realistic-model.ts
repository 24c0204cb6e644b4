import { randomBytes } from 'node:crypto';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { OfflineChatModel } from '../../src/agents/offline-model/index.js';
import { systemClock, type Clock } from '../../src/core/clock.js';
import { startOpenAIServer, type ChatCompletionRequest, type OpenAIServer, type ScriptedReply, type ScriptedToolCall } from './openai-server.js';

/**
 * A model endpoint that behaves like real ones do, for tests that must hold
 * with any model: an OpenAI-compatible server on 127.0.0.1 whose "brain" is
 * the offline parser (so it understands the core requests), but which answers
 * the way hosted and local models actually do — a fresh random tool-call id on
 * every call, the wrap-up restatement once it sees tool results — and can be
 * told to misbehave: repeat a call, send arguments that are not JSON or do not
 * fit the schema, claim success in prose without calling anything, hang,
 * answer 429 with Retry-After, 500, or a body that is not JSON.
 * The real ChatOpenAI client talks HTTP to it; nothing in Keel is mocked.
 */

export interface Misbehaviour {
  /** Each tool call is sent this many times in one answer. */
  repeat?: number;
  /** Agent tool calls carry arguments that are not valid JSON. */
  invalidJson?: boolean;
  /** Agent tool calls carry arguments of the wrong type. */
  wrongTypes?: boolean;
  /** Agents answer "Sure, I've sent the invoice!" instead of calling a tool. */
  claimInProse?: string;
  /** Agents call this tool (whatever the request) on every step, e.g. to hit the step cap or the scope check. */
  alwaysCall?: ScriptedToolCall;
  /** Agents send this call in the same answer as the one they mean (parallel calls), first or last. */
  alongside?: { call: ScriptedToolCall; first: boolean };
  /** The next answers are HTTP failures, one per call, consumed in order. */
  failures?: { status: number; headers?: Record<string, string>; body?: string }[];
  /** Every answer waits this long (a hung endpoint when longer than Keel's timeout). */
  delayMs?: number;
}

export interface RealisticModel {
  server: OpenAIServer;
  url: string;
  /** What the next calls do; change it between steps of a test. */
  misbehave(next: Misbehaviour): void;
  /** Chat completions received so far. */
  calls(): ChatCompletionRequest[];
  close(): Promise<void>;
}

const freshId = () => `call_${randomBytes(12).toString('hex')}`;

/** OpenAI wire messages back into LangChain's, for the brain. */
function toLangChain(messages: ChatCompletionRequest['messages']): BaseMessage[] {
  return messages.map((m) => {
    const content = typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '');
    if (m.role === 'system') return new SystemMessage(content);
    if (m.role === 'user') return new HumanMessage(content);
    if (m.role === 'tool') return new ToolMessage({ content, tool_call_id: m.tool_call_id ?? '' });
    const calls = (m.tool_calls ?? []) as { id: string; function: { name: string; arguments: string } }[];
    return new AIMessage({
      content: m.content === null || m.content === undefined ? '' : content,
      tool_calls: calls.map((c) => ({ id: c.id, name: c.function.name, args: safeJson(c.function.arguments) })),
    });
  });
}

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    // The model's own broken arguments from an earlier call: the brain only needs to know a call was made.
    return {};
  }
}

export async function startRealisticModel(opts: { clock?: Clock; timeZone?: string } = {}): Promise<RealisticModel> {
  const brain = new OfflineChatModel({ clock: opts.clock ?? systemClock, timeZone: opts.timeZone ?? 'UTC', defaultCurrency: 'EUR' });
  let mode: Misbehaviour = {};
  const handler = async (req: ChatCompletionRequest): Promise<ScriptedReply> => {
    const delay = mode.delayMs ? { delayMs: mode.delayMs } : {};
    const failure = mode.failures?.shift();
    if (failure)
      return {
        ...delay,
        http: {
          status: failure.status,
          headers: failure.headers ?? {},
          body: failure.body ?? JSON.stringify({ error: { message: `scripted ${failure.status}`, type: 'server_error' } }),
        },
      };
    const tools = (req.tools ?? []) as Parameters<OfflineChatModel['bindTools']>[0];
    const coordinator = (req.tools ?? []).some((t) => t.function.name === 'route');
    const toolResults = req.messages.at(-1)?.role === 'tool';
    if (!coordinator && mode.alwaysCall) return { ...delay, tool_calls: [{ ...mode.alwaysCall, id: freshId() }] };
    if (!coordinator && !toolResults && mode.claimInProse) return { ...delay, content: mode.claimInProse };
    const answer = await brain.bindTools(tools).invoke(toLangChain(req.messages));
    const calls = (answer.tool_calls ?? []).flatMap((call) =>
      Array.from({ length: coordinator ? 1 : (mode.repeat ?? 1) }, (): ScriptedToolCall => {
        const base = { id: freshId(), name: call.name, args: call.args };
        if (coordinator) return base;
        if (mode.invalidJson) return { ...base, rawArguments: JSON.stringify(call.args).slice(0, -3) };
        if (mode.wrongTypes)
          return { ...base, args: Object.fromEntries(Object.entries(call.args).map(([k, v]) => [k, typeof v === 'number' ? `about ${v}` : v])) };
        return base;
      }),
    );
    if (!coordinator && !toolResults && mode.alongside && calls.length) {
      const extra = { ...mode.alongside.call, id: freshId() };
      calls.splice(mode.alongside.first ? 0 : calls.length, 0, extra);
    }
    const content = typeof answer.content === 'string' ? answer.content : '';
    return { ...delay, ...(content ? { content } : {}), ...(calls.length ? { tool_calls: calls } : {}) };
  };
  const server = await startOpenAIServer(handler);
  return {
    server,
    url: server.url,
    misbehave: (next) => {
      mode = next;
    },
    calls: () => server.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as ChatCompletionRequest),
    close: () => server.close(),
  };
}
