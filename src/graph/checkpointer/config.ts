import type { RunnableConfig } from '@langchain/core/runnables';

/** Where one checkpoint lives: LangGraph's (thread_id, checkpoint_ns, checkpoint_id). */
export interface CheckpointAddress {
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
}

/** The config LangGraph expects back: exactly the three address keys, nothing the caller passed in. */
export function configFor(address: CheckpointAddress): RunnableConfig {
  return {
    configurable: {
      thread_id: address.threadId,
      checkpoint_ns: address.checkpointNs,
      checkpoint_id: address.checkpointId,
    },
  };
}

/**
 * Reads an identifier from `config.configurable`. Absent is allowed (callers decide
 * what that means); any non-string is rejected, because SQLite's text affinity would
 * silently turn a number into a different key than the one the caller holds.
 */
export function optionalKey(config: RunnableConfig, key: string): string | undefined {
  const value: unknown = config.configurable?.[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new TypeError(`LibSQLSaver: config.configurable.${key} must be a string, got ${typeof value}.`);
  }
  return value;
}

/** Reads an identifier that a write cannot do without. */
export function requiredKey(config: RunnableConfig, key: string, operation: string): string {
  if (config.configurable === undefined) {
    throw new Error(`LibSQLSaver.${operation}: config.configurable is missing.`);
  }
  const value = optionalKey(config, key);
  if (value === undefined || value === '') {
    throw new Error(`LibSQLSaver.${operation}: config.configurable.${key} is required.`);
  }
  return value;
}
