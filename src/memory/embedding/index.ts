import type { Embedder } from './embedder.js';
import { hashedNgramEmbedder } from './hashed-ngram.js';
import { openAIEmbedder, type OpenAIEmbedderSettings } from './openai.js';

export type { Embedder };
export { hashedNgramEmbedder };

/** A model endpoint's embeddings when one is configured, otherwise the local hashed n-gram embedder. */
export const createEmbedder = (settings: OpenAIEmbedderSettings): Embedder =>
  settings.apiKey || settings.baseURL ? openAIEmbedder(settings) : hashedNgramEmbedder;
