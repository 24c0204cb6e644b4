import { sqliteTable, text, integer, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * A credit note cancels an issued invoice; invoices are voided with one and
 * never deleted. Credit notes have their own gapless series per year
 * (CN-2026-0001), and at most one exists per invoice.
 */
export const creditNotes = sqliteTable(
  'credit_notes',
  {
    id: text('id').primaryKey(),
    number: text('number').notNull().unique(),
    year: integer('year').notNull(),
    seq: integer('seq').notNull(),
    invoiceId: text('invoice_id').notNull().unique(),
    invoiceNumber: text('invoice_number').notNull(),
    clientId: text('client_id').notNull(),
    totalMinor: integer('total_minor').notNull(),
    currency: text('currency').notNull(),
    issuedAt: integer('issued_at', { mode: 'timestamp_ms' }).notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
  },
  (t) => [uniqueIndex('credit_notes_year_seq_unique').on(t.year, t.seq)],
);

export const creditNoteCounters = sqliteTable('credit_note_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});

/**
 * The Stripe payment link of an invoice (with STRIPE_API_KEY): written once
 * the link exists, so lookup knows the step took effect; `deactivatedAt` is
 * set when voiding the invoice switched the link off.
 */
export const invoicePaymentLinks = sqliteTable('invoice_payment_links', {
  invoiceId: text('invoice_id').primaryKey(),
  number: text('number').notNull().unique(),
  provider: text('provider', { enum: ['stripe'] }).notNull(),
  priceId: text('price_id').notNull(),
  linkId: text('link_id').notNull(),
  url: text('url').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  deactivatedAt: integer('deactivated_at', { mode: 'timestamp_ms' }),
});
