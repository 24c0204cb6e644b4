/** Latency summary of one measurement, in milliseconds. */
export interface Summary {
  n: number;
  median: number;
  p99: number;
}

/**
 * Nearest-rank percentile: the smallest sample with at least p % of the
 * samples at or below it. Unlike interpolation it only ever reports a latency
 * that was actually observed, which keeps p99 honest on a few hundred samples.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, median: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Milliseconds with the precision that matters at that magnitude. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** Operations per second for `count` operations that took `ms` of wall time. */
export const perSecond = (count: number, ms: number): number => (count * 1000) / ms;
