import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import encodeQR from 'qr';
import { formatMoney } from '../../core/money.js';
import { countryName } from '../../core/vat.js';
import type { PrintableDocument } from './build.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const QR_SIZE = 96;

const unitWords = { HUR: 'h', DAY: 'days', C62: '' } as const;
const categoryWords: Record<string, string> = { S: '', Z: 'zero rated', AE: 'reverse charge', E: 'exempt', G: 'export', O: 'not subject to VAT' };

const quantity = (milli: number, unit: keyof typeof unitWords) => {
  const n = (milli / 1000).toLocaleString('en-US', { maximumFractionDigits: 3 });
  if (unit === 'C62') return n;
  return `${n} ${unit === 'DAY' && milli === 1000 ? 'day' : unitWords[unit]}`;
};
const vatLabel = (v: { category: string; ratePercent: number }) =>
  v.category === 'S' ? `${v.ratePercent}%` : `${v.ratePercent}% ${categoryWords[v.category]}`.trim();

/**
 * The EPC069-12 "GiroCode" payload (version 002, UTF-8): a banking app scans
 * it and fills in a SEPA credit transfer. Only for euros, as SEPA is.
 */
export function giroCode(p: {
  name: string;
  iban: string;
  bic?: string | undefined;
  amountMinor: number;
  currency: string;
  reference: string;
}): string | undefined {
  if (p.currency !== 'EUR' || p.amountMinor <= 0 || p.amountMinor > 99_999_999_999) return undefined;
  const amount = `EUR${Math.floor(p.amountMinor / 100)}.${String(p.amountMinor % 100).padStart(2, '0')}`;
  return ['BCD', '002', '1', 'SCT', p.bic ?? '', p.name.slice(0, 70), p.iban.replace(/\s+/g, ''), amount, '', '', p.reference.slice(0, 140)].join('\n');
}

const partyLines = (p: PrintableDocument['seller']) => [
  p.name,
  ...(p.address ? [...p.address.lines, `${p.address.postcode} ${p.address.city}`, countryName(p.address.country)] : []),
  ...(p.vatId ? [`VAT id ${p.vatId}`] : []),
  ...(p.email ? [p.email] : []),
];

/**
 * Renders an invoice or credit note with pdf-lib (pure JavaScript, so it also
 * runs on Workers) from the shared document, so the PDF says exactly what the
 * e-invoice says. The dates in the metadata are the document's own, so the
 * same document renders to the same bytes and its content-addressed file is
 * stored once. A credit note shows its amounts negative.
 */
export async function renderPdf(d: PrintableDocument): Promise<Uint8Array> {
  const title = d.kind === 'invoice' ? 'Invoice' : 'Credit note';
  const sign = d.kind === 'invoice' ? 1 : -1;
  const money = (minor: number) => formatMoney(sign * minor, d.currency);
  const doc = await PDFDocument.create({ updateMetadata: false });
  const issued = new Date(`${d.issueDate}T00:00:00Z`);
  doc.setTitle(`${title} ${d.number}`);
  doc.setAuthor(d.seller.name);
  doc.setCreator('Keel');
  doc.setProducer('Keel (pdf-lib)');
  doc.setCreationDate(issued);
  doc.setModificationDate(issued);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  let page = doc.addPage(A4);
  const width = A4[0] - 2 * MARGIN;
  const right = MARGIN + width;
  let y = A4[1] - MARGIN;

  const write = (text: string, opts: { font?: PDFFont; size?: number; x?: number; right?: number } = {}) => {
    const font = opts.font ?? regular;
    const size = opts.size ?? 10;
    const safe = encodable(font, text);
    const x = opts.right !== undefined ? opts.right - font.widthOfTextAtSize(safe, size) : (opts.x ?? MARGIN);
    page.drawText(safe, { x, y, size, font, color: rgb(0.1, 0.1, 0.1) });
  };
  /** Room for `needed` points more, or a new page. */
  const room = (needed: number) => {
    if (y - needed >= MARGIN + 24) return;
    page = doc.addPage(A4);
    y = A4[1] - MARGIN;
  };

  write(title, { font: bold, size: 22 });
  const sellerLines = partyLines(d.seller);
  sellerLines.forEach((line, n) => {
    write(line, { right, size: n === 0 ? 11 : 9, font: n === 0 ? bold : regular });
    y -= n === 0 ? 14 : 11;
  });
  y -= 8;
  write(`No. ${d.number}`, { size: 12, font: bold });
  y -= 16;
  const facts = [
    `Date of issue: ${d.issueDate}`,
    d.servicePeriod
      ? d.servicePeriod.start === d.servicePeriod.end
        ? `Date of service: ${d.servicePeriod.start}`
        : `Service period: ${d.servicePeriod.start} to ${d.servicePeriod.end}`
      : undefined,
    d.dueDate ? `Due date: ${d.dueDate}` : undefined,
    d.precedingNumber ? `Credits invoice ${d.precedingNumber}` : undefined,
  ].filter((f): f is string => Boolean(f));
  for (const f of facts) {
    write(f);
    y -= 13;
  }
  y -= 14;
  write('Bill to', { font: bold });
  y -= 14;
  for (const line of partyLines(d.buyer)) {
    write(line);
    y -= 13;
  }

  y -= 20;
  const cols = { qty: MARGIN + width * 0.56, price: MARGIN + width * 0.72, vat: MARGIN + width * 0.84, amount: right };
  const header = () => {
    write('Description', { font: bold });
    write('Qty', { font: bold, right: cols.qty });
    write('Unit price', { font: bold, right: cols.price });
    write('VAT', { font: bold, right: cols.vat });
    write('Net', { font: bold, right: cols.amount });
    y -= 6;
    rule(page, y, width);
    y -= 16;
  };
  header();
  for (const line of d.lines) {
    const wrapped = wrap(regular, line.description, 10, width * 0.45);
    room(13 * wrapped.length + 4);
    write(wrapped[0] ?? '');
    write(quantity(line.quantityMilli, line.unit), { right: cols.qty });
    write(formatMoney(line.unitPriceMinor, d.currency), { right: cols.price });
    write(vatLabel(line.vat), { right: cols.vat, size: 8 });
    write(money(line.netMinor), { right: cols.amount });
    for (const more of wrapped.slice(1)) {
      y -= 13;
      write(more);
    }
    y -= 15;
  }
  y += 5;
  rule(page, y, width);
  y -= 16;
  room(60 + 14 * d.vatBreakdown.length);
  write('Net total', { right: cols.vat });
  write(money(d.totals.netMinor), { right: cols.amount });
  for (const g of d.vatBreakdown) {
    y -= 14;
    write(`VAT ${vatLabel(g)} on ${money(g.taxableMinor)}`, { right: cols.vat });
    write(money(g.taxMinor), { right: cols.amount });
  }
  y -= 18;
  write('Total', { font: bold, size: 12, right: cols.vat });
  write(money(d.totals.grossMinor), { font: bold, size: 12, right: cols.amount });

  y -= 28;
  const exemptions = d.vatBreakdown.flatMap((g) => (g.exemptionReason && !d.notes.includes(g.exemptionReason) ? [g.exemptionReason] : []));
  for (const note of [...d.notes, ...exemptions]) {
    const wrapped = wrap(regular, note, 9, width);
    room(12 * wrapped.length);
    for (const part of wrapped) {
      write(part, { size: 9 });
      y -= 12;
    }
  }

  if (d.payment) {
    const qr = giroCode({
      name: d.seller.name,
      iban: d.payment.iban,
      bic: d.payment.bic,
      amountMinor: d.totals.dueMinor,
      currency: d.currency,
      reference: `Invoice ${d.number}`,
    });
    room(Math.max(QR_SIZE, 60) + 12);
    y -= 8;
    const top = y;
    write('Payment', { font: bold });
    y -= 14;
    for (const line of [
      `IBAN ${groupIban(d.payment.iban)}`,
      ...(d.payment.bic ? [`BIC ${d.payment.bic}`] : []),
      ...(d.payment.terms ? [d.payment.terms] : []),
    ]) {
      write(line, { size: 9 });
      y -= 12;
    }
    if (qr) {
      drawQr(page, qr, right - QR_SIZE, top - QR_SIZE + 10);
      y = Math.min(y, top - QR_SIZE);
    }
  }
  return doc.save();
}

const groupIban = (iban: string) =>
  iban
    .replace(/\s+/g, '')
    .replace(/(.{4})/g, '$1 ')
    .trim();

/** Draws the QR code's dark modules as squares: vector, so it scans at any zoom. */
function drawQr(page: PDFPage, text: string, x: number, y: number) {
  const modules = encodeQR(text, 'raw', { ecc: 'medium' });
  const cell = QR_SIZE / modules.length;
  for (const [r, row] of modules.entries())
    for (const [c, dark] of row.entries())
      if (dark) page.drawRectangle({ x: x + c * cell, y: y + QR_SIZE - (r + 1) * cell, width: cell, height: cell, color: rgb(0, 0, 0) });
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
