import { sql } from 'drizzle-orm';
import type { Db } from '../../storage/index.js';
import { billingStatements, releaseStatement } from '../../records/index.js';
import type { BillingTotals } from '../../core/billing.js';
import type { InvoiceParty } from '../../core/billing-details.js';

/**
 * Gapless numbering as one atomic batch rather than an interactive
 * transaction. libSQL's local driver waits for a lock by blocking the thread,
 * so an interactive transaction that awaits between its statements while
 * another write of this process waits would stall both until the busy
 * timeout. A batch (its first statement a write, so it takes the write lock
 * at once) runs start to end without yielding, and on a remote database it is
 * one round trip. Each statement carries the "not taken yet" condition
 * itself, so a repeated key moves no counter.
 */

export interface NewInvoice {
  id: string;
  idempotencyKey: string;
  year: number;
  clientId: string;
  description: string;
  hoursCenti: number;
  rateMinor: number;
  currency: string;
  totals: BillingTotals;
  issuedAt: Date;
  dueAt: Date;
  serviceStart: string;
  serviceEnd: string;
  notes: string[];
  taxRule: string | null;
  seller: InvoiceParty | null;
  buyer: InvoiceParty | null;
  payment: { iban: string; bic?: string } | null;
  /** Time entries this invoice bills (a billable snapshot): numbered only if every one is still unbilled, and claimed in the same batch. */
  entryIds?: string[];
}

const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

/**
 * Takes the next invoice number of the year and inserts the invoice as a draft with its lines, unless the key already
 * has one or an entry it bills is gone or already on another live invoice (then nothing is written). The lines are named
 * by the invoice row the key found (id + position), so a repeated batch adds none.
 */
export async function numberInvoice(db: Db, i: NewInvoice): Promise<void> {
  const billing = i.entryIds?.length ? billingStatements(i.entryIds, i.idempotencyKey) : undefined;
  const absent = billing
    ? sql`NOT EXISTS (SELECT 1 FROM invoices WHERE idempotency_key = ${i.idempotencyKey}) AND ${billing.free}`
    : sql`NOT EXISTS (SELECT 1 FROM invoices WHERE idempotency_key = ${i.idempotencyKey})`;
  const t = i.totals;
  await db.batch([
    db.run(sql`INSERT INTO invoice_counters (year, last) SELECT ${i.year}, 1 WHERE ${absent}
               ON CONFLICT (year) DO UPDATE SET last = last + 1`),
    db.run(sql`INSERT INTO invoices (id, number, year, seq, client_id, description, hours_centi, rate_minor, currency, total_minor, net_minor, tax_minor,
                                     service_start, service_end, notes, tax_rule, seller, buyer, payment, status, issued_at, due_at, idempotency_key)
               SELECT ${i.id}, printf('%d-%04d', year, last), year, last, ${i.clientId}, ${i.description}, ${i.hoursCenti}, ${i.rateMinor},
                      ${i.currency}, ${t.grossMinor}, ${t.netMinor}, ${t.taxMinor}, ${i.serviceStart}, ${i.serviceEnd}, ${json(i.notes)}, ${i.taxRule},
                      ${json(i.seller)}, ${json(i.buyer)}, ${json(i.payment)}, 'draft', ${i.issuedAt.getTime()}, ${i.dueAt.getTime()}, ${i.idempotencyKey}
               FROM invoice_counters WHERE year = ${i.year} AND ${absent}`),
    ...(billing ? [db.run(billing.claim)] : []),
    ...t.lines.map((l, n) =>
      db.run(sql`INSERT INTO invoice_lines (id, invoice_id, position, description, quantity_milli, unit, unit_price_minor, net_minor, vat_category, vat_rate_percent)
                 SELECT id || ':' || ${n + 1}, id, ${n + 1}, ${l.description}, ${l.quantityMilli}, ${l.unit}, ${l.unitPriceMinor}, ${l.netMinor},
                        ${l.vat.category}, ${l.vat.ratePercent}
                 FROM invoices WHERE idempotency_key = ${i.idempotencyKey}
                 ON CONFLICT (id) DO NOTHING`),
    ),
  ]);
}

/**
 * Takes the next credit-note number, records the credit note and voids the
 * invoice, all or nothing; nothing happens when the invoice already has a
 * credit note or is not open (paid, void, unknown). The time entries the
 * invoice billed are freed in the same batch, to be billed again.
 */
export async function creditInvoice(db: Db, c: { id: string; idempotencyKey: string; year: number; invoiceNumber: string; issuedAt: Date }): Promise<void> {
  const creditable = sql`EXISTS (SELECT 1 FROM invoices o WHERE o.number = ${c.invoiceNumber} AND o.status IN ('draft', 'sent')
                         AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.invoice_id = o.id))`;
  await db.batch([
    db.run(sql`INSERT INTO credit_note_counters (year, last) SELECT ${c.year}, 1 WHERE ${creditable}
               ON CONFLICT (year) DO UPDATE SET last = last + 1`),
    db.run(sql`INSERT INTO credit_notes (id, number, year, seq, invoice_id, invoice_number, client_id, total_minor, currency, issued_at, idempotency_key)
               SELECT ${c.id}, printf('CN-%d-%04d', k.year, k.last), k.year, k.last, i.id, i.number, i.client_id, i.total_minor, i.currency,
                      ${c.issuedAt.getTime()}, ${c.idempotencyKey}
               FROM invoices i JOIN credit_note_counters k ON k.year = ${c.year}
               WHERE i.number = ${c.invoiceNumber} AND ${creditable}`),
    db.run(sql`UPDATE invoices SET status = 'void'
               WHERE number = ${c.invoiceNumber} AND status IN ('draft', 'sent')
               AND EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.invoice_id = invoices.id)`),
    db.run(releaseStatement(c.invoiceNumber)),
  ]);
}
