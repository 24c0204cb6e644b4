import { sqliteTable, text, integer, real, index } from 'drizzle-orm/sqlite-core';

/**
 * The operator's business as invoices name it (one row, id "default"): set in
 * chat ("my business: …") through the kernel, or by BUSINESS_PROFILE, which
 * the row overrides field by field once set.
 */
export const businessProfile = sqliteTable('business_profile', {
  id: text('id').primaryKey(),
  legalName: text('legal_name'),
  addressLines: text('address_lines', { mode: 'json' }).$type<string[]>(),
  postcode: text('postcode'),
  city: text('city'),
  country: text('country'),
  vatId: text('vat_id'),
  iban: text('iban'),
  bic: text('bic'),
  paymentTermsDays: integer('payment_terms_days'),
  smallBusiness: integer('small_business', { mode: 'boolean' }),
  /** The standard rate charged; the country's when null. */
  vatRatePercent: real('vat_rate_percent'),
  senderEmail: text('sender_email'),
  timeZone: text('time_zone'),
  /** The last change's key, so a re-run recognises it; the change before it is kept in `previous` for undo. */
  idempotencyKey: text('idempotency_key'),
  previous: text('previous', { mode: 'json' }).$type<Record<string, unknown>>(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * The lines of an invoice, written in the same batch as the invoice's number
 * (id = invoice id + position, so a re-run writes nothing twice). The VAT of
 * each line is what applied at issue.
 */
export const invoiceLines = sqliteTable(
  'invoice_lines',
  {
    id: text('id').primaryKey(),
    invoiceId: text('invoice_id').notNull(),
    position: integer('position').notNull(),
    description: text('description').notNull(),
    quantityMilli: integer('quantity_milli').notNull(),
    unit: text('unit', { enum: ['hour', 'day', 'fixed'] }).notNull(),
    unitPriceMinor: integer('unit_price_minor').notNull(),
    netMinor: integer('net_minor').notNull(),
    vatCategory: text('vat_category', { enum: ['S', 'AE', 'E', 'G', 'Z', 'O'] }).notNull(),
    vatRatePercent: real('vat_rate_percent').notNull(),
  },
  (t) => [index('invoice_lines_invoice_idx').on(t.invoiceId, t.position)],
);
