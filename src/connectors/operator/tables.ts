import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/** Messages Keel pushed to the operator on its own (digests, reminders), one row per idempotency key. */
export const operatorNotices = sqliteTable('operator_notices', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  kind: text('kind').notNull(),
  startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
  deliveredAt: integer('delivered_at', { mode: 'timestamp_ms' }),
});

/** Reminders an agent set ("nudge Dana in 3 days"): due once, fired once through operator.notify. */
export const reminders = sqliteTable('reminders', {
  id: text('id').primaryKey(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  clientId: text('client_id'),
  text: text('text').notNull(),
  dueAt: integer('due_at', { mode: 'timestamp_ms' }).notNull(),
  status: text('status', { enum: ['pending', 'fired', 'cancelled'] }).notNull(),
  firedAt: integer('fired_at', { mode: 'timestamp_ms' }),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});
