import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Money the operator spent, one row per confirmed receipt: what the digest and the monthly figures add up. */
export const expenses = sqliteTable(
  'expenses',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    amountMinor: integer('amount_minor').notNull(),
    currency: text('currency').notNull(),
    /** The day it was spent, in the operator's time zone (YYYY-MM-DD). */
    spentOn: text('spent_on').notNull(),
    vendor: text('vendor').notNull(),
    category: text('category').notNull(),
    /** The receipt in the files store, when it came as a photo or PDF. */
    fileId: text('file_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    voidedAt: integer('voided_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('expenses_spent_on_idx').on(t.spentOn)],
);
