import { eq } from 'drizzle-orm';
import type { Db } from '../../storage/index.js';
import { clients, invoices } from '../../records/index.js';
import type { FileRecords } from '../files/index.js';
import { creditNotes, eInvoiceDocument, pdfKey, printableFor, type DocumentSettings, type InvoiceDocument, type PrintableDocument } from '../invoices/index.js';
import type { ExportEntry, ExportSource } from './source.js';

const day = (d: Date) => d.toISOString().slice(0, 10);
const noAddress = { lines: [], postcode: '', city: '', country: '' };

/**
 * The export source over the invoice records: each invoice and credit note of
 * the year as the same EN 16931 document its PDF and e-invoice were made from
 * (lines, net and tax per rate, the parties as stored at issue), with the
 * e-invoice format its client receives. A document from before Keel knew the
 * parties' addresses still counts in the CSV, with its names only, and gets no
 * XML (format `pdf`), since it could not be a valid e-invoice.
 */
export function documentSource(db: Db, files: FileRecords, settings: DocumentSettings): ExportSource {
  const pdfOf = async (number: string) => (await files.byKey(pdfKey(number)))?.id;

  async function entry(
    printable: PrintableDocument,
    format: ExportEntry['format'],
    status: ExportEntry['status'],
    paidAt: string | null,
  ): Promise<ExportEntry> {
    const strict = eInvoiceDocument(printable);
    const doc: InvoiceDocument =
      'doc' in strict ? strict.doc : { ...printable, seller: { address: noAddress, ...printable.seller }, buyer: { address: noAddress, ...printable.buyer } };
    const pdfFileId = await pdfOf(doc.number);
    return { doc, status, paidAt, ...(pdfFileId ? { pdfFileId } : {}), format: 'doc' in strict ? format : 'pdf' };
  }

  return {
    async documents(year) {
      const formats = new Map((await db.select({ id: clients.id, format: clients.einvoiceFormat }).from(clients)).map((c) => [c.id, c.format]));
      const formatOf = (clientId: string) => formats.get(clientId) ?? 'pdf';
      const issued = await db.select().from(invoices).where(eq(invoices.year, year)).orderBy(invoices.seq);
      const credited = await db.select().from(creditNotes).where(eq(creditNotes.year, year)).orderBy(creditNotes.seq);
      const entries: ExportEntry[] = [];
      for (const i of issued) {
        entries.push(await entry(await printableFor(db, i, undefined, settings), formatOf(i.clientId), i.status, i.paidAt ? day(i.paidAt) : null));
      }
      for (const cn of credited) {
        // The credited invoice may be of an earlier year: its lines are what the credit note repeats.
        const [i] = await db.select().from(invoices).where(eq(invoices.id, cn.invoiceId));
        if (!i) throw new Error(`Credit note ${cn.number} names invoice ${cn.invoiceNumber}, which is not in the ledger.`);
        entries.push(await entry(await printableFor(db, i, cn, settings), formatOf(cn.clientId), 'issued', null));
      }
      return entries;
    },
  };
}
