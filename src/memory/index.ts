export * from './records.js';
export { transcript } from './tables.js';
export { appendTranscript, recentTranscript } from './transcript.js';
