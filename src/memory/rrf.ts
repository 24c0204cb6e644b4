/** The constant of reciprocal rank fusion (Cormack et al., 2009): it damps the weight of the very top ranks. */
const K = 60;

/**
 * Reciprocal rank fusion: each ranked list adds 1 / (K + rank) to an item, so
 * an item found by several channels rises without comparing their raw scores
 * (BM25 and cosine similarity are on unrelated scales).
 */
export function fuseRanks<T, C extends string>(lists: Record<C, T[]>): { item: T; score: number; via: C[] }[] {
  const fused = new Map<T, { score: number; via: C[] }>();
  for (const channel of Object.keys(lists) as C[]) {
    lists[channel].forEach((item, rank) => {
      const entry = fused.get(item) ?? { score: 0, via: [] };
      entry.score += 1 / (K + rank + 1);
      entry.via.push(channel);
      fused.set(item, entry);
    });
  }
  return [...fused].map(([item, e]) => ({ item, ...e })).sort((a, b) => b.score - a.score);
}
