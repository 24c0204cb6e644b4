import { z } from 'zod';
import type { InvoiceDocument } from '../document.js';
import { toCii } from './cii.js';
import { embedFacturX, FACTURX_FILENAME } from './facturx.js';
import { toUbl } from './ubl.js';

export { toCii, FACTURX_GUIDELINE } from './cii.js';
export { toUbl, XRECHNUNG_CUSTOMIZATION } from './ubl.js';
export { embedFacturX, FACTURX_FILENAME } from './facturx.js';
export { amount as decimalAmount } from './xml.js';

/**
 * How a client receives documents: a Factur-X PDF (the XML inside the PDF;
 * readable by people and machines alike), XRechnung (the PDF plus a UBL XML
 * file, what German public and many business buyers ask for), or a plain PDF.
 */
export const eInvoiceFormat = z.enum(['facturx', 'xrechnung', 'pdf']);
export type EInvoiceFormat = z.infer<typeof eInvoiceFormat>;

export interface Attachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/**
 * The files a document is delivered as, in `format`: the PDF (with the CII
 * XML embedded for Factur-X) and, for XRechnung, the UBL XML beside it.
 */
export async function withEInvoice(
  format: EInvoiceFormat,
  doc: InvoiceDocument,
  pdfBytes: Uint8Array,
): Promise<{ pdf: Uint8Array; attachments: Attachment[] }> {
  switch (format) {
    case 'facturx':
      return { pdf: await embedFacturX(doc, pdfBytes, toCii(doc)), attachments: [] };
    case 'xrechnung':
      return { pdf: pdfBytes, attachments: [{ filename: `${doc.number}.xml`, contentType: 'application/xml', content: new TextEncoder().encode(toUbl(doc)) }] };
    case 'pdf':
      return { pdf: pdfBytes, attachments: [] };
  }
}

/** The e-invoice XML of a document in a format that has one, by file name: what the accountant export puts beside each PDF. */
export function eInvoiceXml(format: Exclude<EInvoiceFormat, 'pdf'>, doc: InvoiceDocument): { filename: string; xml: string } {
  return format === 'facturx'
    ? { filename: `${doc.number}.${FACTURX_FILENAME}`, xml: toCii(doc) }
    : { filename: `${doc.number}.xrechnung.xml`, xml: toUbl(doc) };
}
