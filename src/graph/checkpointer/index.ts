export { LibSQLSaver } from './saver.js';
export type { HistoryPolicy, PruneResult } from './prune.js';
