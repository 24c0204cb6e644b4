import type { InvoiceDocument } from '../invoices/document.js';
import type { EInvoiceFormat } from '../invoices/einvoice/index.js';

/** One invoice or credit note of a year, as the accountant export reads it. */
export interface ExportEntry {
  doc: InvoiceDocument;
  /** Invoices: the ledger's status; a credit note is `issued`. */
  status: 'draft' | 'sent' | 'paid' | 'void' | 'issued';
  /** ISO date the invoice was paid, or null. */
  paidAt: string | null;
  /** The stored PDF, as delivered (for Factur-X, with its XML inside). */
  pdfFileId?: string;
  /** The e-invoice format the client receives; the ZIP carries that XML beside the PDF (none for `pdf`). */
  format: EInvoiceFormat;
}

/**
 * Where the export gets a year's documents from. The export is written against
 * this and `InvoiceDocument` only, so the document builder behind it can change
 * without touching the CSV, the ZIP or the kernel operation.
 */
export interface ExportSource {
  documents(year: number): Promise<ExportEntry[]>;
}
