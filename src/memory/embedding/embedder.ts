/**
 * Turns texts into unit-length vectors. `id` names the embedder and is stored
 * with every vector it made, so a change of embedder is noticed and re-indexed.
 */
export interface Embedder {
  id: string;
  /**
   * Cosine similarity below which a vector match is noise rather than
   * evidence; it depends on how the embedder spreads unrelated texts.
   */
  minSimilarity: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Scales a vector to unit length, so cosine similarity is a dot product. */
export function normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i += 1) vector[i]! /= norm;
  return vector;
}
