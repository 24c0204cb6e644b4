import type { InvoiceDocument } from '../invoices/index.js';
import { decimalAmount as amount } from '../invoices/index.js';
import type { ExportEntry } from './source.js';

type Breakdown = InvoiceDocument['vatBreakdown'][number];

/** "VAT 19%" for a standard rate; the zero-rated categories keep their code, since "0%" alone hides why ("VAT 0% AE"). */
const rateLabel = (b: Pick<Breakdown, 'category' | 'ratePercent'>) => (b.category === 'S' ? `VAT ${b.ratePercent}%` : `VAT ${b.ratePercent}% ${b.category}`);

/**
 * A cell as RFC 4180 wants it, and never a formula: a client named "=SUM(…)"
 * would otherwise run in the accountant's spreadsheet.
 */
export function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The year's invoices and credit notes, one row each: net, the tax of each
 * rate in its own column, gross. Credit notes count negative, so each amount
 * column sums to the year's revenue as the ledger has it.
 */
export function accountantCsv(entries: ExportEntry[]): string {
  const rates = [...new Map(entries.flatMap((e) => e.doc.vatBreakdown).map((b) => [rateLabel(b), b])).values()].sort(
    (a, b) => b.ratePercent - a.ratePercent || a.category.localeCompare(b.category),
  );
  const header = [
    'type',
    'number',
    'issue date',
    'due date',
    'credits invoice',
    'client',
    'client VAT id',
    'currency',
    'net',
    ...rates.map(rateLabel),
    'tax',
    'gross',
    'status',
    'paid date',
  ];
  const rows = entries.map(({ doc, status, paidAt }) => {
    const sign = doc.kind === 'credit_note' ? -1 : 1;
    const money = (minor: number) => amount(sign * minor, doc.currency);
    const taxOf = (label: string) => doc.vatBreakdown.filter((b) => rateLabel(b) === label).reduce((sum, b) => sum + b.taxMinor, 0);
    return [
      doc.kind === 'invoice' ? 'invoice' : 'credit note',
      cell(doc.number),
      doc.issueDate,
      doc.dueDate ?? '',
      cell(doc.precedingNumber ?? ''),
      cell(doc.buyer.name),
      cell(doc.buyer.vatId ?? ''),
      doc.currency,
      money(doc.totals.netMinor),
      ...rates.map((r) => money(taxOf(rateLabel(r)))),
      money(doc.totals.taxMinor),
      money(doc.totals.grossMinor),
      status,
      paidAt ?? '',
    ].join(',');
  });
  return `${[header.map(cell).join(','), ...rows].join('\r\n')}\r\n`;
}
