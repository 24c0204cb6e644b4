import { eq } from 'drizzle-orm';
import type { Db } from '../../storage/index.js';
import { clients, invoices } from '../../records/index.js';
import type { FileRecords } from '../files/index.js';
import type { InvoiceDocument } from '../invoices/document.js';
import { creditNotes, pdfKey } from '../invoices/index.js';
import type { ExportEntry, ExportSource } from './source.js';

type Invoice = typeof invoices.$inferSelect;

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The export source over today's invoice records: one line per invoice (hours ×
 * rate), no VAT (category O, "not subject to VAT"), and no addresses, so the
 * parties carry names only and every entry is a plain PDF — nothing here could
 * make a valid e-invoice. Replace this module with the EN 16931 document builder
 * (seller profile, client billing details, VAT per line) when the records hold them.
 */
export function ledgerSource(db: Db, files: FileRecords, issuer: string): ExportSource {
  const noAddress = { lines: [], postcode: '', city: '', country: '' };
  const pdfOf = async (number: string) => (await files.byKey(pdfKey(number)))?.id;

  const document = (i: Invoice, buyer: string, kind: InvoiceDocument['kind'], number: string, issued: Date, amountMinor: number): InvoiceDocument => ({
    kind,
    number,
    ...(kind === 'credit_note' ? { precedingNumber: i.number } : { dueDate: day(i.dueAt) }),
    issueDate: day(issued),
    currency: i.currency,
    seller: { name: issuer, address: noAddress },
    buyer: { name: buyer, address: noAddress },
    lines: [
      {
        description: i.description,
        quantityMilli: i.hoursCenti * 10,
        unit: 'HUR',
        unitPriceMinor: i.rateMinor,
        netMinor: amountMinor,
        vat: { category: 'O', ratePercent: 0 },
      },
    ],
    vatBreakdown: [{ category: 'O', ratePercent: 0, taxableMinor: amountMinor, taxMinor: 0 }],
    totals: { netMinor: amountMinor, taxMinor: 0, grossMinor: amountMinor, dueMinor: amountMinor },
    notes: [],
  });

  return {
    async documents(year) {
      const names = new Map((await db.select({ id: clients.id, name: clients.name }).from(clients)).map((c) => [c.id, c.name]));
      const buyerOf = (clientId: string) => names.get(clientId) ?? `client ${clientId}`;
      const issued = await db.select().from(invoices).where(eq(invoices.year, year)).orderBy(invoices.seq);
      const credited = await db.select().from(creditNotes).where(eq(creditNotes.year, year)).orderBy(creditNotes.seq);
      const entries: ExportEntry[] = [];
      for (const i of issued) {
        const pdfFileId = await pdfOf(i.number);
        entries.push({
          doc: document(i, buyerOf(i.clientId), 'invoice', i.number, i.issuedAt, i.totalMinor),
          status: i.status,
          paidAt: i.paidAt ? day(i.paidAt) : null,
          ...(pdfFileId ? { pdfFileId } : {}),
          format: 'pdf',
        });
      }
      for (const cn of credited) {
        // The credited invoice may be of an earlier year: its line is what the credit note repeats.
        const [i] = await db.select().from(invoices).where(eq(invoices.id, cn.invoiceId));
        if (!i) throw new Error(`Credit note ${cn.number} names invoice ${cn.invoiceNumber}, which is not in the ledger.`);
        const pdfFileId = await pdfOf(cn.number);
        entries.push({
          doc: document(i, buyerOf(cn.clientId), 'credit_note', cn.number, cn.issuedAt, cn.totalMinor),
          status: 'issued',
          paidAt: null,
          ...(pdfFileId ? { pdfFileId } : {}),
          format: 'pdf',
        });
      }
      return entries;
    },
  };
}
