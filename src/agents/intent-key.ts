import { canonicalJson, sha256Hex } from '../core/ids.js';

/**
 * The idempotency key of an effect: the thread, the operator's request, the
 * operation and its canonical input. Never a model-chosen call id, so a model
 * that answers a replayed request with new ids, repeats a call or reorders its
 * calls proposes the same keys, and identical calls in one turn are one action.
 */
export async function intentKey(ctx: { threadId: string; turnId: string }, operation: string, input: unknown): Promise<string> {
  return `intent:${await sha256Hex([ctx.threadId, ctx.turnId, operation, canonicalJson(input)].join('\n'))}`;
}
