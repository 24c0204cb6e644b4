import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Documents the operator sent Keel (a signed contract, a brief, a photo),
 * each naming its stored file (the files store keeps the bytes) and the
 * client it belongs to, with the words it was sent with, so "send me Beta's
 * contract" finds it again.
 */
export const documents = sqliteTable(
  'documents',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    fileId: text('file_id').notNull(),
    clientId: text('client_id').notNull(),
    /** The caption it came with ("signed contract for Beta"), or else the file name. */
    label: text('label').notNull(),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    removedAt: integer('removed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('documents_client_idx').on(t.clientId)],
);
