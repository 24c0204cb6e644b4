import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/** The local outbox: with no SMTP server configured, sent mail lands here, one row per idempotency key. */
export const outboxEmails = sqliteTable('outbox_emails', {
  id: text('id').primaryKey(),
  messageId: text('message_id').notNull().unique(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  clientId: text('client_id'),
  to: text('to').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  correctionOf: text('correction_of'),
  sentAt: integer('sent_at', { mode: 'timestamp_ms' }).notNull(),
});
