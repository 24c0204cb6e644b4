export { transcript } from './tables.js';
export { appendTranscript, recentTranscript } from './transcript.js';
export { createMemory, type Memory, type MemoryDeps } from './service.js';
export { createEmbedder, hashedNgramEmbedder, type Embedder } from './embedding/index.js';
export { extractiveSummarizer, modelSummarizer, type Summarizer } from './summarize.js';
export { createTimeline, type Timeline, type TimelineStep } from './timeline.js';
export { memoryCommands } from './commands.js';
export { contextMap, latestSummary, memoryDocument, type ClientContext } from './context-map.js';
export type { RecallHit, RecallQuery } from './recall.js';
