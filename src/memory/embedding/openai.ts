import { OpenAIEmbeddings } from '@langchain/openai';
import { normalise, type Embedder } from './embedder.js';

export interface OpenAIEmbedderSettings {
  apiKey?: string | undefined;
  baseURL?: string | undefined;
  model: string;
}

/** Embeddings from an OpenAI-compatible endpoint; the vector width is whatever the model returns. */
export function openAIEmbedder(settings: OpenAIEmbedderSettings): Embedder {
  const client = new OpenAIEmbeddings({
    model: settings.model,
    // Local servers such as Ollama accept any key, but the client insists on one.
    apiKey: settings.apiKey ?? 'not-needed',
    configuration: settings.baseURL ? { baseURL: settings.baseURL } : {},
    maxRetries: 2,
  });
  return {
    id: `openai:${settings.model}`,
    minSimilarity: 0.2,
    async embed(texts) {
      const vectors = await client.embedDocuments(texts);
      return vectors.map((v) => normalise(Float32Array.from(v)));
    },
  };
}
