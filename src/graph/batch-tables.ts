import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/** A group of open cards offered for approval with one tap; the tap decides exactly these, never cards raised later. */
export const approvalBatches = sqliteTable('approval_batches', {
  id: text('id').primaryKey(),
  actionIds: text('action_ids', { mode: 'json' }).$type<string[]>().notNull(),
  summary: text('summary').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});
