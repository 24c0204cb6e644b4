import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/**
 * Artifacts Keel keeps (invoice PDFs, uploads): one row per put, naming a
 * content-addressed blob. Several rows may share a blob; it is removed only
 * when the last row naming it is deleted.
 */
export const storedFiles = sqliteTable(
  'files',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    sha256: text('sha256').notNull(),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('files_sha256_idx').on(t.sha256)],
);
