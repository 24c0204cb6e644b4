import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { memoryKinds } from './kinds.js';

/** Every message in and out of a conversation, kept whole for audit even when the graph's state is compacted. */
export const transcript = sqliteTable(
  'transcript',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    threadId: text('thread_id').notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    transport: text('transport').notNull(),
    body: text('body', { mode: 'json' }).notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('transcript_thread_idx').on(t.threadId, t.id)],
);

/** Durable summaries of compacted conversation, one per compaction, recalled like any other memory. */
export const memorySummaries = sqliteTable(
  'memory_summaries',
  {
    id: text('id').primaryKey(),
    threadId: text('thread_id').notNull(),
    text: text('text').notNull(),
    /** How many messages this summary stands for; the transcript keeps them verbatim. */
    messages: integer('messages').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('memory_summaries_thread_idx').on(t.threadId)],
);

/**
 * Rows changed in the tables recall reads. Triggers (migration 0005) append
 * here on every insert, update and delete, so no connector has to remember to
 * tell memory; the indexer drains the queue in `seq` order.
 */
export const memoryChanges = sqliteTable('memory_changes', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  source: text('source').notNull(),
  sourceId: text('source_id').notNull(),
});

/**
 * One searchable document per remembered thing. `seq` is the rowid shared
 * with the FTS5 table and the vector tables; `embedder` names the embedder
 * that made its vector (null while the vector is still to be made).
 */
export const memoryDocs = sqliteTable(
  'memory_docs',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    sourceId: text('source_id').notNull().unique(),
    kind: text('kind', { enum: memoryKinds }).notNull(),
    clientId: text('client_id'),
    text: text('text').notNull(),
    hash: text('hash').notNull(),
    embedder: text('embedder'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('memory_docs_kind_idx').on(t.kind), index('memory_docs_client_idx').on(t.clientId), index('memory_docs_embedder_idx').on(t.embedder)],
);
