import { sqliteTable, text, integer, blob, primaryKey } from 'drizzle-orm/sqlite-core';

/**
 * Checkpoints and their channel values in one table, so a put is one statement
 * into one B-tree: the checkpoint itself is the row with `channel` '' and the
 * checkpoint id as its `version` (its serialized checkpoint in `blob`, with
 * `metadata`, parent id, channel versions and source beside it); a channel value
 * is the row of its (channel, version), stored once, as LangGraph's Postgres
 * saver does, so a channel that did not change is not copied into later
 * checkpoints. Migration 0030 puts two views over it, `checkpoints` and
 * `checkpoint_blobs`, which the reads use.
 */
export const checkpointRows = sqliteTable(
  'checkpoint_rows',
  {
    threadId: text('thread_id').notNull(),
    checkpointNs: text('checkpoint_ns').notNull().default(''),
    channel: text('channel').notNull(),
    version: text('version').notNull(),
    type: text('type'),
    blob: blob('blob', { mode: 'buffer' }).notNull(),
    metadata: blob('metadata', { mode: 'buffer' }),
    parentCheckpointId: text('parent_checkpoint_id'),
    channelVersions: text('channel_versions'),
    source: text('source'),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.checkpointNs, t.channel, t.version] })],
);

export const checkpointWrites = sqliteTable(
  'checkpoint_writes',
  {
    threadId: text('thread_id').notNull(),
    checkpointNs: text('checkpoint_ns').notNull().default(''),
    checkpointId: text('checkpoint_id').notNull(),
    taskId: text('task_id').notNull(),
    idx: integer('idx').notNull(),
    channel: text('channel').notNull(),
    type: text('type'),
    value: blob('value', { mode: 'buffer' }),
    // Pending writes replay in (task_path, task_id, idx) order, the order live execution applies them.
    taskPath: text('task_path').notNull().default(''),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.checkpointNs, t.checkpointId, t.taskId, t.idx] })],
);
