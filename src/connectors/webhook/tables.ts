import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/**
 * One row per webhook event, written as `sending` before each POST: after a
 * crash, `sending` means the receiver may have the event, `failed` that it
 * answered with an error and does not.
 */
export const webhookDeliveries = sqliteTable('webhook_deliveries', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  event: text('event').notNull(),
  status: text('status', { enum: ['sending', 'delivered', 'failed'] }).notNull(),
  attempts: integer('attempts').notNull(),
  responseStatus: integer('response_status'),
  error: text('error'),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});
