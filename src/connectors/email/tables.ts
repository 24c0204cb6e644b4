import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/**
 * Every email Keel sends, one row per idempotency key, whichever way it went
 * out: the local outbox (an .eml file), SMTP or an HTTP email API. The row is written as
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
  status: text('status', { enum: ['sending', 'sent', 'failed'] })
    .notNull()
    .default('sent'),
  via: text('via', { enum: ['outbox', 'smtp', 'api'] })
    .notNull()
    .default('outbox'),
  /** Names of the attached files, for the workspace; the bytes live in the .eml or the files store. */
  attachments: text('attachments', { mode: 'json' }).$type<string[]>().notNull().default([]),
  /** The .eml file written to OUTBOX_DIR, when sent through the local outbox. */
  emlFile: text('eml_file'),
  error: text('error'),
});

/**
 * Email a client sent to the mailbox Keel reads (IMAP_URL): one row per
 * Message-ID, attached to the client it came from and, when it answers a
 * message Keel sent, to that message. Reminders the reply made moot are
 * listed so undoing the record restores them.
 */
export const emailReplies = sqliteTable(
  'email_replies',
  {
    id: text('id').primaryKey(),
    messageId: text('message_id').notNull().unique(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    clientId: text('client_id').notNull(),
    fromAddress: text('from_address').notNull(),
    fromName: text('from_name'),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    /** The In-Reply-To header as received. */
    inReplyTo: text('in_reply_to'),
    /** The Keel email (outbox_emails.id) this answers, found through In-Reply-To or References. */
    repliesTo: text('replies_to'),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    recordedAt: integer('recorded_at', { mode: 'timestamp_ms' }).notNull(),
    cancelledReminders: text('cancelled_reminders', { mode: 'json' }).$type<string[]>().notNull().default([]),
  },
  (t) => [index('email_replies_client_idx').on(t.clientId)],
);

/**
 * How far Keel has read each mailbox: the highest UID handled under the
 * mailbox's UIDVALIDITY. Advanced only after a message is fully handled, so a
 * restart re-reads at most the message in hand (whose keys make that harmless).
 */
export const mailboxCursors = sqliteTable('mailbox_cursors', {
  mailbox: text('mailbox').primaryKey(),
  uidValidity: integer('uid_validity').notNull(),
  lastUid: integer('last_uid').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});
