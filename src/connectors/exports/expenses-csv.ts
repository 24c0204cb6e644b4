import type { Zippable } from 'fflate';
import { strToU8 } from 'fflate';
import { minorDigits } from '../../core/money.js';
import { expensesBetween, type Expense } from '../../records/index.js';
import type { Db } from '../../storage/index.js';
import type { FileRecords, StoredFile } from '../files/index.js';
import { cell } from './csv.js';

/** Where a receipt goes in the ZIP: the day and the expense's id make two "photo.jpg" receipts two files. */
const receiptPath = (e: Expense, file: StoredFile) => `receipts/${e.spentOn}-${e.id}-${file.name.replace(/[/\\]/g, '_')}`;

const decimal = (minor: number, currency: string) => {
  const digits = minorDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
};

/**
 * The year's expenses for the accountant, one row each (date, vendor,
 * category, amount, currency, receipt: its path in the ZIP), oldest first.
 */
export function expensesCsv(rows: { expense: Expense; receipt?: string }[]): string {
  const header = ['date', 'vendor', 'category', 'amount', 'currency', 'receipt'];
  const lines = rows.map(({ expense: e, receipt }) => [e.spentOn, e.vendor, e.category, decimal(e.amountMinor, e.currency), e.currency, receipt ?? '']);
  return `${[header, ...lines].map((l) => l.map(cell).join(',')).join('\r\n')}\r\n`;
}

/**
 * A year's confirmed expenses (voided ones left out) as the accountant
 * export's `expenses-<year>.csv`, stored under `key`, with the receipts'
 * bytes for the ZIP's receipts/ folder. None that year: no file.
 */
export async function yearExpenses(db: Db, files: FileRecords, year: number, key: string): Promise<{ csv: StoredFile; receipts: Zippable } | undefined> {
  const spent = await expensesBetween(db, `${year}-01-01`, `${year}-12-31`);
  if (!spent.length) return undefined;
  const receipts: Zippable = {};
  const rows: { expense: Expense; receipt?: string }[] = [];
  for (const expense of spent) {
    const file = expense.fileId ? await files.byId(expense.fileId) : undefined;
    if (!file || file.deletedAt) {
      rows.push({ expense });
      continue;
    }
    const path = receiptPath(expense, file);
    receipts[path] = (await files.read(file.id)).bytes;
    rows.push({ expense, receipt: path });
  }
  const csv = await files.save({ key, name: `expenses-${year}.csv`, contentType: 'text/csv', bytes: strToU8(expensesCsv(rows)) });
  return { csv, receipts };
}
