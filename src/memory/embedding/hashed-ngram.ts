import { normalise, type Embedder } from './embedder.js';

const DIMENSIONS = 256;
const WORD_WEIGHT = 1;
const CHAR_WEIGHT = 0.5;

/** FNV-1a: fast, stable across runs and platforms, which is all a hashing embedder needs. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const words = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * Features of a text: each word, each pair of neighbouring words, and the
 * character trigrams of each word padded with spaces, so "invoicing" and
 * "invoice" or "prefers" and "preferred" share most of their features.
 */
function features(text: string): [string, number][] {
  const tokens = words(text);
  const out: [string, number][] = [];
  tokens.forEach((word, i) => {
    out.push([`w:${word}`, WORD_WEIGHT]);
    if (i > 0) out.push([`b:${tokens[i - 1]} ${word}`, WORD_WEIGHT / 2]);
    const padded = ` ${word} `;
    for (let j = 0; j + 3 <= padded.length; j += 1) out.push([`c:${padded.slice(j, j + 3)}`, CHAR_WEIGHT]);
  });
  return out;
}

/**
 * The embedded default: a deterministic local embedder of hashed word and
 * character n-grams (the hashing trick with a sign bit), L2-normalised. It
 * needs no model or network; it catches shared words, inflections and typos,
 * not synonyms — for those configure a model endpoint.
 */
export const hashedNgramEmbedder: Embedder = {
  id: 'hashed-ngram-v1',
  minSimilarity: 0.2,
  async embed(texts) {
    return texts.map((text) => {
      const vector = new Float32Array(DIMENSIONS);
      for (const [feature, weight] of features(text)) {
        const hash = fnv1a(feature);
        vector[hash % DIMENSIONS]! += hash & 0x80000000 ? -weight : weight;
      }
      return normalise(vector);
    });
  },
};
