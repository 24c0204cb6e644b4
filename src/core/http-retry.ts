import type { Clock } from './clock.js';

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, clock: Clock): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - clock.now().getTime());
}

/** HTTP answers a later attempt may not meet: timeouts, too early, too many requests, server errors. */
export const retryableStatus = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500;
