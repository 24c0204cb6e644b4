import { ConnectorError } from './connector.js';

export interface RetrySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetry: RetrySettings = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 30_000 };

/**
 * How long to wait before the next attempt, or undefined when the failure must
 * not be retried: only a ConnectorError that says it is retryable is, because
 * any other exception may mean the effect happened or the code is wrong.
 * "Equal jitter" keeps half the exponential delay fixed so waits still grow
 * while concurrent callers spread out; Retry-After is a floor, not a cap.
 */
export function retryDelay(error: unknown, attempt: number, settings: RetrySettings, random: () => number): number | undefined {
  if (!(error instanceof ConnectorError) || !error.retryable || attempt >= settings.maxAttempts) return undefined;
  const exponential = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.ceil(Math.max(jittered, error.retryAfterMs ?? 0));
}
