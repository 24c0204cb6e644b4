export { transcript } from './tables.js';
export { appendTranscript, recentTranscript } from './transcript.js';
export { createMemory, type Memory, type MemoryDeps } from './service.js';
export { createEmbedder, hashedNgramEmbedder, type Embedder } from './embedding/index.js';
export { extractiveSummarizer, modelSummarizer, type Summarizer } from './summarize.js';
export { contextMap, latestSummary, memoryDocument, memoryDocuments, type ClientContext } from './context-map.js';
export type { RecallHit, RecallQuery } from './recall.js';
export { memoryKinds, type MemoryKind } from './kinds.js';
