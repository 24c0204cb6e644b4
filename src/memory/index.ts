export * from './records.js';
export { transcript } from './tables.js';
export { appendTranscript, recentTranscript } from './transcript.js';
export { createMemory, type Memory, type MemoryDeps } from './service.js';
export { createEmbedder, hashedNgramEmbedder, type Embedder } from './embedding/index.js';
export { memoryConnector } from './connector.js';
export { createTimeline, type Timeline, type TimelineStep } from './timeline.js';
export { memoryCommands } from './commands.js';
export type { RecallHit, RecallQuery } from './recall.js';
