import type { BaseMessage } from '@langchain/core/messages';
import type { AIMessageChunk } from '@langchain/core/messages';
import { noTracer, type Tracer } from '../core/tracing.js';

/** How long and how often Keel waits for the model on one request. */
export interface ModelLimits {
  /** One call's limit. */
  timeoutMs: number;
  /** Retries of a rate-limited, 5xx or refused call. */
  maxRetries: number;
  /** The longest Retry-After honoured; a longer one ends the request with a message instead of a long silence. */
  maxRetryAfterMs: number;
  /** Model time one request may use in all. */
  turnBudgetMs: number;
  /** Model calls one request may make in all. */
  maxCallsPerTurn: number;
}

export const defaultModelLimits: ModelLimits = { timeoutMs: 60_000, maxRetries: 2, maxRetryAfterMs: 30_000, turnBudgetMs: 180_000, maxCallsPerTurn: 8 };

type Cause = 'timeout' | 'rate_limited' | 'server_error' | 'unreachable' | 'malformed' | 'rejected' | 'budget';

/** The model could not be used for this request; `message` says why in words the operator can act on. */
export class ModelUnavailable extends Error {
  constructor(
    readonly kind: Cause,
    message: string,
  ) {
    super(message);
    this.name = 'ModelUnavailable';
  }
}

interface Invocable {
  invoke(messages: BaseMessage[], options?: { signal?: AbortSignal }): Promise<AIMessageChunk>;
}

/** What an HTTP client error carries, wherever the OpenAI SDK or LangChain put it. */
function describe(error: unknown, timeoutMs: number): { cause: Cause; retryAfterMs?: number; detail: string } {
  const e = (error ?? {}) as { name?: string; status?: number; message?: string; headers?: unknown; cause?: unknown; code?: string };
  const text = `${e.name ?? ''} ${e.message ?? ''} ${e.code ?? ''}`;
  if (/abort|timed? ?out/i.test(text)) return { cause: 'timeout', detail: `did not answer within ${Math.round(timeoutMs / 1000)} s` };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const header = (name: string) => {
    const h = e.headers as { get?: (n: string) => string | null } | Record<string, string> | undefined;
    if (!h) return undefined;
    return typeof (h as { get?: unknown }).get === 'function'
      ? ((h as { get: (n: string) => string | null }).get(name) ?? undefined)
      : (h as Record<string, string>)[name];
  };
  if (status === 429) {
    const seconds = Number(header('retry-after'));
    return { cause: 'rate_limited', ...(Number.isFinite(seconds) ? { retryAfterMs: seconds * 1000 } : {}), detail: 'answered 429 (too many requests)' };
  }
  if (status !== undefined && status >= 500) return { cause: 'server_error', detail: `answered ${status} (a server error)` };
  if (status !== undefined) return { cause: 'rejected', detail: `refused the request with ${status}: ${(e.message ?? '').slice(0, 200)}` };
  if (/ECONNREFUSED|ENOTFOUND|ECONNRESET|connection|fetch failed|socket/i.test(`${text} ${String((e.cause as { code?: string })?.code ?? '')}`)) {
    return { cause: 'unreachable', detail: 'could not be reached (connection refused or reset)' };
  }
  if (error instanceof SyntaxError || /json|unexpected token|malformed|invalid response/i.test(text))
    return { cause: 'malformed', detail: 'sent an answer Keel could not read' };
  return { cause: 'malformed', detail: `failed: ${(e.message ?? String(error)).slice(0, 200)}` };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` with a signal that aborts after `ms`, and clears the timer once it settles. AbortSignal.timeout's
 * timer would run out its whole time after the call, keeping the call's async context — the graph run, with its
 * state — alive for a minute after every model call.
 */
async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`The operation timed out after ${ms} ms`, 'TimeoutError')), ms);
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

/** One model call within the request's budget; throws ModelUnavailable with a message the operator can act on when it cannot be made. */
export type ModelCall = (model: Invocable, messages: BaseMessage[]) => Promise<AIMessageChunk>;

/**
 * One request's model calls, bounded: each call has a timeout, a failed call
 * is retried only where that can help (rate limits honouring Retry-After up
 * to a cap, 5xx, refused connections), and the request as a whole has a
 * budget of calls and time. Real time, not the injected clock: these bound
 * how long the operator waits.
 */
export function modelBudget(limits: ModelLimits, tracer: Tracer = noTracer): ModelCall {
  const startedAt = Date.now();
  let calls = 0;

  return async function call(model: Invocable, messages: BaseMessage[]): Promise<AIMessageChunk> {
    for (let attempt = 0; ; attempt += 1) {
      const left = limits.turnBudgetMs - (Date.now() - startedAt);
      if (calls >= limits.maxCallsPerTurn || left <= 0) {
        throw new ModelUnavailable(
          'budget',
          `The model used this request's whole budget (${calls} calls, ${Math.round((Date.now() - startedAt) / 1000)} s) without finishing`,
        );
      }
      calls += 1;
      const timeoutMs = Math.min(limits.timeoutMs, left);
      try {
        return await tracer.span(
          'model.call',
          { 'keel.model.attempt': attempt + 1, 'keel.model.messages': messages.length, 'keel.model.timeout_ms': timeoutMs },
          async (span) => {
            const answer = await withDeadline(timeoutMs, (signal) => model.invoke(messages, { signal }));
            const usage = answer.usage_metadata;
            span.set({
              'gen_ai.usage.input_tokens': usage?.input_tokens,
              'gen_ai.usage.output_tokens': usage?.output_tokens,
              'keel.model.tool_calls': answer.tool_calls?.map((c) => c.name).join(','),
              'keel.model.prompt': tracer.includeContent ? messages.at(-1)?.text : undefined,
              'keel.model.answer': tracer.includeContent ? answer.text : undefined,
            });
            return answer;
          },
        );
      } catch (error) {
        const { cause, retryAfterMs, detail } = describe(error, timeoutMs);
        const retryable = cause === 'rate_limited' || cause === 'server_error' || cause === 'unreachable';
        const wait = retryAfterMs ?? Math.min(8_000, 500 * 2 ** attempt);
        if (!retryable || attempt >= limits.maxRetries || wait > limits.maxRetryAfterMs) {
          const tried = attempt ? ` (tried ${attempt + 1} times)` : '';
          const later = cause === 'rate_limited' && retryAfterMs ? `; it asked to wait ${Math.round(retryAfterMs / 1000)} s` : '';
          throw new ModelUnavailable(cause, `The model endpoint ${detail}${tried}${later}`);
        }
        await sleep(wait);
      }
    }
  };
}
