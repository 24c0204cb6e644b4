import { strToU8, zipSync, type Zippable } from 'fflate';
import { z } from 'zod';
import { defineOperation, type Connector } from '../../kernel/connector.js';
import type { ConnectorDeps } from '../../kernel/connector-deps.js';
import type { FileRecords, StoredFile } from '../files/index.js';
import { eInvoiceXml } from '../invoices/index.js';
import { accountantCsv } from './csv.js';
import { dataExport } from './data.js';
import { yearExpenses } from './expenses-csv.js';
import type { ExportSource } from './source.js';

export type { ExportEntry, ExportSource } from './source.js';
export { documentSource } from './document-source.js';
export { accountantCsv } from './csv.js';

const fileRef = (f: StoredFile) => ({ fileId: f.id, name: f.name, contentType: f.contentType });
const csvKey = (key: string) => `${key}:csv`;
const zipKey = (key: string) => `${key}:zip`;
const jsonKey = (key: string) => `${key}:json`;
const expensesKey = (key: string) => `${key}:expenses`;

/**
 * Exports for the operator: the accountant's year (a CSV of invoices and
 * credit notes, and a ZIP with that CSV and every PDF and e-invoice XML; in a
 * year with expenses, their CSV too, in the ZIP with the receipts) and
 * the full data export (JSON of every table holding their data). Each file is
 * stored in the files ledger under the action's key, so a retried or
 * reconciled export returns the files it made; undoing one deletes them.
 */
export function exportsConnector(deps: ConnectorDeps, files: FileRecords, source: ExportSource): Connector {
  const { db, clock } = deps;

  const accountant = defineOperation({
    name: 'exports.accountant',
    summary: "export a year's invoices for the accountant",
    input: z.object({ year: z.number().int().min(2000).max(2100) }),
    leavesSystem: false,
    async run({ year }, ctx) {
      const entries = await source.documents(year);
      const csv = await files.save({
        key: csvKey(ctx.idempotencyKey),
        name: `invoices-${year}.csv`,
        contentType: 'text/csv',
        bytes: strToU8(accountantCsv(entries)),
      });
      // The ZIP carries the CSV as stored, so after a crash between the two files both still agree.
      const archive: Zippable = { [csv.name]: (await files.read(csv.id)).bytes };
      for (const { doc, pdfFileId, format } of entries) {
        if (pdfFileId) archive[`pdf/${doc.number}.pdf`] = (await files.read(pdfFileId)).bytes;
        if (format !== 'pdf') {
          const { filename, xml } = eInvoiceXml(format, doc);
          archive[`xml/${filename}`] = strToU8(xml);
        }
      }
      const spent = await yearExpenses(db, files, year, expensesKey(ctx.idempotencyKey));
      if (spent) Object.assign(archive, { [spent.csv.name]: (await files.read(spent.csv.id)).bytes }, spent.receipts);
      const zip = await files.save({
        key: zipKey(ctx.idempotencyKey),
        name: `invoices-${year}.zip`,
        contentType: 'application/zip',
        bytes: zipSync(archive, { level: 6, mtime: clock.now() }),
      });
      return { year, documents: entries.length, files: [fileRef(csv), fileRef(zip), ...(spent ? [fileRef(spent.csv)] : [])] };
    },
    async lookup(key, { year }) {
      const csv = await files.byKey(csvKey(key));
      const zip = await files.byKey(zipKey(key));
      if (!csv || !zip) return { status: 'not_done' };
      // The row count is the CSV's own: its header plus one line per document.
      const lines = new TextDecoder()
        .decode((await files.read(csv.id)).bytes)
        .split('\r\n')
        .filter(Boolean).length;
      // The expenses CSV is stored before the ZIP, so with the ZIP there it is there too when the year had any.
      const spent = await files.byKey(expensesKey(key));
      return { status: 'done', result: { year, documents: lines - 1, files: [fileRef(csv), fileRef(zip), ...(spent ? [fileRef(spent)] : [])] } };
    },
    compensation: { kind: 'operation', operation: 'exports.discard', input: (_i, r) => ({ fileIds: (r as Result).files.map((f) => f.fileId) }) },
  });

  const data = defineOperation({
    name: 'exports.data',
    summary: 'export all data',
    input: z.object({}),
    leavesSystem: false,
    async run(_input, ctx) {
      const existing = await files.byKey(jsonKey(ctx.idempotencyKey));
      if (existing) return { files: [fileRef(existing)] };
      const now = clock.now();
      const { json } = await dataExport(db, now);
      const file = await files.save({
        key: jsonKey(ctx.idempotencyKey),
        name: `keel-data-${now.toISOString().slice(0, 10)}.json`,
        contentType: 'application/json',
        bytes: strToU8(json),
      });
      return { files: [fileRef(file)] };
    },
    async lookup(key) {
      const file = await files.byKey(jsonKey(key));
      return file ? { status: 'done', result: { files: [fileRef(file)] } } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'exports.discard', input: (_i, r) => ({ fileIds: (r as Result).files.map((f) => f.fileId) }) },
  });

  const discard = defineOperation({
    name: 'exports.discard',
    summary: 'delete an export',
    input: z.object({ fileIds: z.array(z.string()).min(1) }),
    leavesSystem: false,
    async run({ fileIds }) {
      for (const id of fileIds) await files.release(id);
      return { deleted: fileIds };
    },
    async lookup(_key, { fileIds }) {
      // A file missing from the ledger is "not done": the re-run then fails saying which file is unknown.
      const found = await Promise.all(fileIds.map((id) => files.byId(id)));
      return found.every((f) => f?.deletedAt) ? { status: 'done', result: { deleted: fileIds } } : { status: 'not_done' };
    },
    compensation: { kind: 'irreversible', note: 'export again' },
  });

  return { name: 'exports', operations: [accountant, data, discard] };
}

/** What an export answers: the files it stored, for the operator's chat and the workspace. */
export const exportResult = z.object({ files: z.array(z.object({ fileId: z.string(), name: z.string(), contentType: z.string() })) });
type Result = z.infer<typeof exportResult>;
