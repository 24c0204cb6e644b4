import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { invoices } from '../../src/records/index.js';
import { creditNotes, toCii, toUbl } from '../../src/connectors/invoices/index.js';
import { fileRecords } from '../../src/connectors/files/index.js';
import { folderStore } from '../../src/connectors/files/folder.node.js';
import { exportsConnector, type ExportEntry } from '../../src/connectors/exports/index.js';
import { sequentialIds } from '../../src/core/ids.js';
import { exportCommands } from '../../src/jobs/index.js';
import { outboxEmails } from '../../src/connectors/index.js';
import { connectorKernel, type ConnectorKernel } from './support.js';
import { invoicesByCase } from './einvoice/documents.js';

let env: ConnectorKernel | undefined;
afterEach(() => {
  env?.cleanup();
  env = undefined;
});

const filesOf = (e: ConnectorKernel) => fileRecords({ db: e.db, clock: e.clock, ids: sequentialIds() }, folderStore(e.dirs.files));
const bytesOf = async (e: ConnectorKernel, fileId: string) => (await filesOf(e).read(fileId)).bytes;
type Files = { files: { fileId: string; name: string; contentType: string }[] };

/** A year of work: three invoices, one paid, one voided by a credit note. */
async function yearOfWork(e: ConnectorKernel) {
  const acme = await e.addClient('Acme Corp', 'dana@acme.test');
  const initech = await e.addClient('Initech, Inc. "West"');
  const work = (clientId: string, hoursCenti: number, rateMinor: number) => ({ clientId, description: 'Consulting', hoursCenti, rateMinor, currency: 'EUR' });
  await e.act('invoices.issue', work(acme, 1000, 15000), 'inv:1');
  await e.act('invoices.issue', work(initech, 333, 9999), 'inv:2');
  await e.act('invoices.issue', work(acme, 250, 12000), 'inv:3');
  await e.act('invoices.record_payment', { number: '2026-0001' }, 'pay:1');
  await e.act('invoices.void', { number: '2026-0003' }, 'void:3');
}

/** The CSV as the accountant's spreadsheet reads it (RFC 4180 quoting). */
function parseCsv(text: string): Record<string, string>[] {
  const rows = text
    .trimEnd()
    .split('\r\n')
    .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')));
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}
const minor = (decimal: string) => Math.round(Number(decimal) * 100);

describe('accountant export', () => {
  it('lists every invoice and credit note of the year with the ledger’s own figures, statuses and paid dates', async () => {
    env = await connectorKernel();
    await yearOfWork(env);
    const done = await env.act('exports.accountant', { year: 2026 }, 'export:2026');
    expect(done.state).toBe('succeeded');
    const [csvFile, zipFile] = (done.result as Files).files;
    expect([csvFile!.name, zipFile!.name]).toEqual(['invoices-2026.csv', 'invoices-2026.zip']);

    const rows = parseCsv(new TextDecoder().decode(await bytesOf(env, csvFile!.fileId)));
    const ledger = await env.db.select().from(invoices);
    const credits = await env.db.select().from(creditNotes);
    expect(rows.map((r) => r.number)).toEqual([...ledger.map((i) => i.number), ...credits.map((c) => c.number)]);
    for (const i of ledger) {
      const row = rows.find((r) => r.number === i.number)!;
      expect(row).toMatchObject({ type: 'invoice', status: i.status, 'paid date': i.paidAt ? i.paidAt.toISOString().slice(0, 10) : '', currency: 'EUR' });
      expect([minor(row.net!), minor(row.tax!), minor(row.gross!)]).toEqual([i.totalMinor, 0, i.totalMinor]);
    }
    expect(rows.find((r) => r.number === credits[0]!.number)).toMatchObject({ type: 'credit note', 'credits invoice': '2026-0003', status: 'issued' });
    // Each amount column sums to the year's revenue in the ledger: invoices less credit notes.
    const ledgerNet = ledger.reduce((s, i) => s + i.totalMinor, 0) - credits.reduce((s, c) => s + c.totalMinor, 0);
    expect(rows.reduce((s, r) => s + minor(r.net!), 0)).toBe(ledgerNet);
    expect(rows.reduce((s, r) => s + minor(r.gross!), 0)).toBe(ledgerNet);
    // A client name with a comma and quotes survives as one cell.
    expect(rows.find((r) => r.number === '2026-0002')!.client).toBe('Initech, Inc. "West"');
  });

  it('zips the CSV with every stored PDF, byte for byte', async () => {
    env = await connectorKernel();
    await yearOfWork(env);
    const { files } = (await env.act('exports.accountant', { year: 2026 }, 'export:zip')).result as Files;
    const zip = unzipSync(await bytesOf(env, files[1]!.fileId));
    expect(Object.keys(zip).sort()).toEqual(['invoices-2026.csv', 'pdf/2026-0001.pdf', 'pdf/2026-0002.pdf', 'pdf/2026-0003.pdf', 'pdf/CN-2026-0001.pdf']);
    expect(zip['invoices-2026.csv']).toEqual(await bytesOf(env, files[0]!.fileId));
    const stored = filesOf(env);
    expect(Buffer.from(zip['pdf/2026-0002.pdf']!)).toEqual(Buffer.from((await stored.read((await stored.byKey('document:2026-0002:pdf'))!.id)).bytes));
  });

  it('is one export per key: a repeat and a lookup after a crash give the same files, and undo deletes them', async () => {
    env = await connectorKernel();
    await yearOfWork(env);
    const first = await env.act('exports.accountant', { year: 2026 }, 'export:once');
    const again = await env.act('exports.accountant', { year: 2026 }, 'export:once');
    expect(again.result).toEqual(first.result);
    const looked = await env.kernel.operation('exports.accountant').lookup('export:once', { year: 2026 });
    expect(looked).toEqual({ status: 'done', result: first.result });

    const undone = await env.undo(first.id);
    expect(undone.state).toBe('succeeded');
    const stored = filesOf(env);
    for (const f of (first.result as Files).files) expect((await stored.byId(f.fileId))?.deletedAt).toBeTruthy();
  });

  it('a run killed after storing the CSV is not done: reconciling re-runs it, keeping that CSV and zipping it', async () => {
    env = await connectorKernel();
    await yearOfWork(env);
    const stranded = await env.strandBeforeRun('exports.accountant', { year: 2026 }, 'export:crash');
    // What the killed process left: the CSV stored under the action's key, no ZIP.
    const earlier = await filesOf(env).save({
      key: 'export:crash:csv',
      name: 'invoices-2026.csv',
      contentType: 'text/csv',
      bytes: new TextEncoder().encode('as first written\r\n'),
    });
    expect(await env.kernel.operation('exports.accountant').lookup('export:crash', { year: 2026 })).toEqual({ status: 'not_done' });
    expect(await env.kernel.reconcile()).toMatchObject({ reconciled: 0, rerun: 1, needsAttention: 0 });
    const done = (await env.kernel.get(stranded.id))!;
    expect(done.state).toBe('succeeded');
    const [csv, zip] = (done.result as Files).files;
    expect(csv!.fileId).toBe(earlier.id);
    expect(new TextDecoder().decode(unzipSync(await bytesOf(env, zip!.fileId))['invoices-2026.csv'])).toBe('as first written\r\n');
  });

  it('puts each document’s e-invoice XML beside its PDF, in the client’s format', async () => {
    env = await connectorKernel();
    const entries: ExportEntry[] = [
      { doc: invoicesByCase.domestic, status: 'sent', paidAt: null, format: 'facturx' },
      { doc: invoicesByCase.reverseCharge, status: 'paid', paidAt: '2026-03-20', format: 'xrechnung' },
      { doc: invoicesByCase.exportOutsideEu, status: 'sent', paidAt: null, format: 'pdf' },
    ];
    const files = filesOf(env);
    const connector = exportsConnector({ db: env.db, clock: env.clock, ids: sequentialIds() }, files, { documents: async () => entries });
    const op = connector.operations.find((o) => o.name === 'exports.accountant')!;
    const ctx = { idempotencyKey: 'export:xml', actionId: 'act_1', attempt: 1, clock: env.clock, heartbeat: async () => {} };
    const result = (await op.run({ year: 2026 }, ctx)) as Files;
    const zip = unzipSync((await files.read(result.files[1]!.fileId)).bytes);
    expect(Object.keys(zip).filter((n) => n.startsWith('xml/'))).toEqual(['xml/INV-2026-0001.factur-x.xml', 'xml/INV-2026-0002.xrechnung.xml']);
    expect(new TextDecoder().decode(zip['xml/INV-2026-0001.factur-x.xml'])).toBe(toCii(invoicesByCase.domestic));
    expect(new TextDecoder().decode(zip['xml/INV-2026-0002.xrechnung.xml'])).toBe(toUbl(invoicesByCase.reverseCharge));

    // Tax per rate: the mixed-rate invoice fills two columns, and the totals are the document's.
    const csv = parseCsv(new TextDecoder().decode((await files.read(result.files[0]!.fileId)).bytes));
    expect(Object.keys(csv[0]!)).toEqual(expect.arrayContaining(['VAT 0% AE', 'VAT 0% G', 'VAT 19%']));
    expect(csv[0]).toMatchObject({ net: '1187.50', 'VAT 19%': '225.63', tax: '225.63', gross: '1413.13', 'client VAT id': 'DE987654321' });
  });
});

describe('full data export', () => {
  it('holds every record table as JSON, and leaves out engine state and sign-in secrets', async () => {
    env = await connectorKernel();
    await yearOfWork(env);
    const done = await env.act('exports.data', {}, 'export:all');
    const [file] = (done.result as Files).files;
    expect(file!.contentType).toBe('application/json');
    const data = JSON.parse(new TextDecoder().decode(await bytesOf(env, file!.fileId))) as { tables: Record<string, Record<string, unknown>[]> };
    expect(data.tables.invoices).toHaveLength(3);
    expect(data.tables.credit_notes).toHaveLength(1);
    expect(data.tables.clients!.map((c) => c.name)).toEqual(['Acme Corp', 'Initech, Inc. "West"']);
    expect(Object.keys(data.tables)).toEqual(expect.arrayContaining(['actions', 'audit_log', 'files', 'outbox_emails', 'notes', 'meetings']));
    for (const secret of ['workspace_keys', 'workspace_sessions', 'checkpoints', 'file_blobs', '__drizzle_migrations'])
      expect(data.tables).not.toHaveProperty(secret);
  });
});

describe('wired: each client gets its e-invoice, the export reads the real documents', () => {
  it('mails Factur-X inside the stored PDF, XRechnung beside it (credit notes too), and exports net and tax per rate', async () => {
    env = await connectorKernel({ timeZone: 'UTC' });
    await env.act(
      'records.set_profile',
      {
        name: 'Dana Consulting',
        addressLines: ['Hauptstr. 1'],
        postcode: '10115',
        city: 'Berlin',
        country: 'DE',
        vatId: 'DE123456789',
        iban: 'DE89370400440532013000',
      },
      'profile:1',
    );
    const acme = await env.addClient('Acme GmbH', 'dana@acme.test');
    const gamma = await env.addClient('Gamma AG', 'sam@gamma.test');
    const billing = { addressLines: ['Torstr. 5'], postcode: '10119', city: 'Berlin', country: 'DE' };
    await env.act('records.set_client_billing', { clientId: acme, ...billing }, 'billing:acme');
    await env.act('records.set_client_billing', { clientId: gamma, ...billing, einvoiceFormat: 'xrechnung' }, 'billing:gamma');
    const at19 = { category: 'S', ratePercent: 19 } as const;
    const at7 = { category: 'S', ratePercent: 7 } as const;
    const issue = (clientId: string, key: string) =>
      env!.act(
        'invoices.issue',
        {
          clientId,
          description: 'Workshop and book',
          lines: [
            { description: 'Workshop', quantityMilli: 1000, unit: 'day', unitPriceMinor: 100_000, vat: at19 },
            { description: 'Handbook', quantityMilli: 1000, unit: 'fixed', unitPriceMinor: 10_000, vat: at7 },
          ],
          currency: 'EUR',
          tax: { rule: 'domestic: 19% VAT (client in DE)' },
        },
        key,
      );
    const facturx = await issue(acme, 'inv:acme');
    const xrechnung = await issue(gamma, 'inv:gamma');
    await env.act('invoices.void', { number: '2026-0002' }, 'void:gamma');
    expect(facturx.result).toMatchObject({ number: '2026-0001', totalMinor: 129_700, emailedTo: 'dana@acme.test', emailedVia: 'outbox' });
    expect(xrechnung.result).toMatchObject({ number: '2026-0002', emailedTo: 'sam@gamma.test' });

    const mails = await env.db.select({ subject: outboxEmails.subject, attachments: outboxEmails.attachments }).from(outboxEmails);
    expect(mails).toEqual([
      { subject: 'Invoice 2026-0001', attachments: ['2026-0001.pdf'] },
      { subject: 'Invoice 2026-0002', attachments: ['2026-0002.pdf', '2026-0002.xml'] },
      { subject: 'Credit note CN-2026-0001 for invoice 2026-0002', attachments: ['CN-2026-0001.pdf', 'CN-2026-0001.xml'] },
    ]);
    // The .eml of Acme's invoice carries the stored PDF, which has the CII XML inside as factur-x.xml.
    const stored = filesOf(env);
    const acmePdf = (await stored.read((facturx.result as { pdfFileId: string }).pdfFileId)).bytes;
    expect(Buffer.from(acmePdf).toString('latin1')).toContain('factur-x.xml');
    const emls = readdirSync(env.dirs.outbox).map((f) => readFileSync(join(env!.dirs.outbox, f), 'utf8'));
    expect(emls.some((m) => m.includes(Buffer.from(acmePdf).toString('base64').slice(0, 76)))).toBe(true);
    const gammaXml = emls.find((m) => m.includes('filename=2026-0002.xml') || m.includes('filename="2026-0002.xml"'));
    expect(gammaXml).toBeDefined();
    expect(emls.some((m) => /filename="?CN-2026-0001\.xml/.test(m))).toBe(true);

    const { files } = (await env.act('exports.accountant', { year: 2026 }, 'export:wired')).result as Files;
    const rows = parseCsv(new TextDecoder().decode(await bytesOf(env, files[0]!.fileId)));
    expect(rows.map((r) => [r.type, r.number, r.net, r['VAT 19%'], r['VAT 7%'], r.tax, r.gross, r['client VAT id']])).toEqual([
      ['invoice', '2026-0001', '1100.00', '190.00', '7.00', '197.00', '1297.00', ''],
      ['invoice', '2026-0002', '1100.00', '190.00', '7.00', '197.00', '1297.00', ''],
      ['credit note', 'CN-2026-0001', '-1100.00', '-190.00', '-7.00', '-197.00', '-1297.00', ''],
    ]);
    const zip = unzipSync(await bytesOf(env, files[1]!.fileId));
    expect(Object.keys(zip).sort()).toEqual([
      'invoices-2026.csv',
      'pdf/2026-0001.pdf',
      'pdf/2026-0002.pdf',
      'pdf/CN-2026-0001.pdf',
      'xml/2026-0001.factur-x.xml',
      'xml/2026-0002.xrechnung.xml',
      'xml/CN-2026-0001.xrechnung.xml',
    ]);
    expect(Buffer.from(zip['pdf/2026-0001.pdf']!)).toEqual(Buffer.from(acmePdf));
  });
});

describe('/export', () => {
  it('answers with the stored files as chat file messages, once per message', async () => {
    env = await connectorKernel();
    await yearOfWork(env);
    const commands = exportCommands({ kernel: env.kernel, clock: env.clock });
    const ask = (args: string, eventId: string) => commands.export!.run({ args, sender: 'web', transport: 'web', eventId });
    const replies = await ask('2026', 'evt-1');
    expect(replies.map((r) => r.kind === 'file' && [r.file.name, r.file.contentType])).toEqual([
      ['invoices-2026.csv', 'text/csv'],
      ['invoices-2026.zip', 'application/zip'],
    ]);
    expect(await ask('2026', 'evt-1')).toEqual(replies);
    const all = await ask('all', 'evt-2');
    expect(all).toMatchObject([{ kind: 'file', file: { contentType: 'application/json' } }]);
    expect(await ask('last year please', 'evt-3')).toMatchObject([{ kind: 'text', text: expect.stringContaining('/export 2026') }]);
  });
});
