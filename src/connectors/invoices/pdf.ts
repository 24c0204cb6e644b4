import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

/** What an invoice or credit note shows; amounts arrive formatted, so the PDF and the chat agree to the cent. */
export interface PdfModel {
  title: string;
  number: string;
  issuedAt: Date;
  dueAt?: Date;
  issuer: string;
  billTo: { name: string; email?: string | null };
  reference?: string;
  line: { description: string; quantity: string; unitPrice: string; amount: string };
  total: string;
  footer: string;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Renders a one-page document with pdf-lib (pure JavaScript, so it also runs
 * on Workers). The dates in the metadata are the document's own, so the same
 * invoice renders to the same bytes and its content-addressed file is stored once.
 */
export async function renderPdf(model: PdfModel): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(`${model.title} ${model.number}`);
  doc.setAuthor(model.issuer);
  doc.setCreator('Keel');
  doc.setProducer('Keel (pdf-lib)');
  doc.setCreationDate(model.issuedAt);
  doc.setModificationDate(model.issuedAt);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const page = doc.addPage(A4);
  const width = A4[0] - 2 * MARGIN;
  let y = A4[1] - MARGIN;

  const write = (text: string, opts: { font?: PDFFont; size?: number; x?: number; right?: number } = {}) => {
    const font = opts.font ?? regular;
    const size = opts.size ?? 10;
    const safe = encodable(font, text);
    const x = opts.right !== undefined ? opts.right - font.widthOfTextAtSize(safe, size) : (opts.x ?? MARGIN);
    page.drawText(safe, { x, y, size, font, color: rgb(0.1, 0.1, 0.1) });
  };

  write(model.title, { font: bold, size: 22 });
  write(model.issuer, { right: MARGIN + width, size: 11, font: bold });
  y -= 28;
  write(`No. ${model.number}`, { size: 12 });
  y -= 16;
  write(`Issued ${day(model.issuedAt)}${model.dueAt ? ` · due ${day(model.dueAt)}` : ''}`);
  if (model.reference) {
    y -= 14;
    write(model.reference);
  }
  y -= 32;
  write('Bill to', { font: bold });
  y -= 14;
  write(model.billTo.name);
  if (model.billTo.email) {
    y -= 14;
    write(model.billTo.email);
  }

  y -= 36;
  const cols = { qty: MARGIN + width * 0.62, price: MARGIN + width * 0.8, amount: MARGIN + width };
  write('Description', { font: bold });
  write('Qty', { font: bold, right: cols.qty });
  write('Price', { font: bold, right: cols.price });
  write('Amount', { font: bold, right: cols.amount });
  y -= 6;
  rule(page, y, width);
  y -= 16;
  const lines = wrap(regular, model.line.description, 10, width * 0.5);
  write(lines[0] ?? '');
  write(model.line.quantity, { right: cols.qty });
  write(model.line.unitPrice, { right: cols.price });
  write(model.line.amount, { right: cols.amount });
  for (const more of lines.slice(1)) {
    y -= 13;
    write(more);
  }
  y -= 10;
  rule(page, y, width);
  y -= 20;
  write('Total', { font: bold, size: 12, right: cols.price });
  write(model.total, { font: bold, size: 12, right: cols.amount });

  y = MARGIN;
  write(model.footer, { size: 8 });
  return doc.save();
}

function rule(page: PDFPage, y: number, width: number) {
  page.drawLine({ start: { x: MARGIN, y }, end: { x: MARGIN + width, y }, thickness: 0.5, color: rgb(0.6, 0.6, 0.6) });
}

/** The standard fonts cover WinAnsi only; any other character becomes "?" instead of failing the whole invoice. */
function encodable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  return Array.from(text, (ch) => (supported.has(ch.codePointAt(0)!) ? ch : '?')).join('');
}

function wrap(font: PDFFont, text: string, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of encodable(font, text).split(/\s+/).filter(Boolean)) {
    const next = current ? `${current} ${word}` : word;
    if (current && font.widthOfTextAtSize(next, size) > maxWidth) {
      lines.push(current);
      current = word;
    } else {
      current = next;
    }
  }
  if (current) lines.push(current);
  return lines;
}
