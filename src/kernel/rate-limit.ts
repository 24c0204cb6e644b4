import type { Clock } from '../core/clock.js';

/**
 * A token bucket that queues instead of refusing: each caller reserves the next
 * token at once (the count may go negative, which is the queue) and sleeps until
 * that token has refilled, so concurrent callers are paced in arrival order.
 */
export function tokenBucket(limit: { perSecond: number; burst: number }, clock: Clock): () => Promise<void> {
  let tokens = limit.burst;
  let last = clock.now().getTime();
  return async () => {
    const now = clock.now().getTime();
    tokens = Math.min(limit.burst, tokens + ((now - last) / 1000) * limit.perSecond);
    last = now;
    tokens -= 1;
    if (tokens < 0) await clock.sleep(Math.ceil((-tokens / limit.perSecond) * 1000));
  };
}
