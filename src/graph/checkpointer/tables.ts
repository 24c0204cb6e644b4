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
  },
  (t) => [primaryKey({ columns: [t.threadId, t.checkpointNs, t.checkpointId] })],
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
  },
  (t) => [primaryKey({ columns: [t.threadId, t.checkpointNs, t.checkpointId, t.taskId, t.idx] })],
);
