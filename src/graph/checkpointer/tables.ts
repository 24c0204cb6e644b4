import { sqliteTable, text, integer, blob, primaryKey } from 'drizzle-orm/sqlite-core';

/** LangGraph checkpoints, laid out like LangGraph's own SQL savers so the data reads the same. */
export const checkpoints = sqliteTable(
  'checkpoints',
  {
    threadId: text('thread_id').notNull(),
    checkpointNs: text('checkpoint_ns').notNull().default(''),
    checkpointId: text('checkpoint_id').notNull(),
    parentCheckpointId: text('parent_checkpoint_id'),
    type: text('type'),
    checkpoint: blob('checkpoint', { mode: 'buffer' }).notNull(),
    metadata: blob('metadata', { mode: 'buffer' }).notNull(),
    /**
     * The checkpoint's channel versions again, as JSON text ({"channel": "version"}),
     * so one statement can read a checkpoint with its channel values and writes.
     * Null on rows written before it existed; those are read in two steps.
     */
    channelVersions: text('channel_versions'),
    /** `metadata.source` again (input, loop, update, fork), so pruning groups turns without reading the metadata. Null as above. */
    source: text('source'),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.checkpointNs, t.checkpointId] })],
);

/**
 * Channel values, stored once per (channel, version) as LangGraph's Postgres saver
 * does: a checkpoint row holds only versions, so a channel that did not change is
 * not copied into every later checkpoint.
 */
export const checkpointBlobs = sqliteTable(
  'checkpoint_blobs',
  {
    threadId: text('thread_id').notNull(),
    checkpointNs: text('checkpoint_ns').notNull().default(''),
    channel: text('channel').notNull(),
    version: text('version').notNull(),
    type: text('type').notNull(),
    blob: blob('blob', { mode: 'buffer' }).notNull(),
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
