import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/**
 * Every email Keel sends, one row per idempotency key, whichever way it went
 * out: the local outbox (an .eml file) or SMTP. The row is written as
 * `sending` before the hand-over and `sent` after it, so a crash in between
 * is visible as a doubt instead of looking like "never sent".
 */
export const outboxEmails = sqliteTable('outbox_emails', {
  id: text('id').primaryKey(),
  messageId: text('message_id').notNull().unique(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  clientId: text('client_id'),
  to: text('to').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  correctionOf: text('correction_of'),
  /** When the server (or the outbox folder) accepted the message; until then, when sending began. */
  sentAt: integer('sent_at', { mode: 'timestamp_ms' }).notNull(),
  status: text('status', { enum: ['sending', 'sent', 'failed'] }).notNull().default('sent'),
  via: text('via', { enum: ['outbox', 'smtp'] }).notNull().default('outbox'),
  /** Names of the attached files, for the workspace; the bytes live in the .eml or the files store. */
  attachments: text('attachments', { mode: 'json' }).$type<string[]>().notNull().default([]),
  /** The .eml file written to OUTBOX_DIR, when sent through the local outbox. */
  emlFile: text('eml_file'),
  error: text('error'),
});
