import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { invoices } from '../../src/records/index.js';
import { creditNotes } from '../../src/connectors/invoices/index.js';
import { fileRecords, storedFiles } from '../../src/connectors/files/index.js';
import { folderStore } from '../../src/connectors/files/folder.node.js';
import { sequentialIds } from '../../src/core/ids.js';
import { outboxEmails } from '../../src/connectors/index.js';
import { connectorKernel, type ConnectorKernel } from './support.js';
import { startSmtp } from './smtp.js';
import { openPdf } from './pdf-tools.js';

let env: ConnectorKernel | undefined;
let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
afterEach(async () => {
  env?.cleanup();
  await smtp?.close();
  env = undefined;
  smtp = undefined;
});

const work = (clientId: string) => ({
  clientId,
  description: 'October consulting: discovery workshop and architecture review',
  hoursCenti: 1000,
  rateMinor: 15000,
  currency: 'EUR',
});
const pdfOf = async (e: ConnectorKernel, fileId: string) =>
  (await fileRecords({ db: e.db, clock: e.clock, ids: sequentialIds() }, folderStore(e.dirs.files)).read(fileId)).bytes;

describe('invoices', () => {
  it('numbers 200 concurrent actions (50 of them repeats) as 150 invoices without gaps or repeats', { timeout: 120_000 }, async () => {
    env = await connectorKernel();
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const keys = [...Array.from({ length: 150 }, (_, i) => `inv:${i}`), ...Array.from({ length: 50 }, (_, i) => `inv:${i * 3}`)];
    const e = env;
    const outcomes = await Promise.all(keys.map((key) => e.act('invoices.issue', work(clientId), key)));

    expect(outcomes.every((a) => a.state === 'succeeded')).toBe(true);
    const rows = await env.db.select().from(invoices).orderBy(asc(invoices.seq));
    expect(rows).toHaveLength(150);
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 150 }, (_, i) => `2026-${String(i + 1).padStart(4, '0')}`));
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['sent']));
    // Each key kept the number its first run took.
    const byKey = new Map(rows.map((r) => [r.idempotencyKey, r.number]));
    for (const a of outcomes) expect((a.result as { number: string }).number).toBe(byKey.get(a.idempotencyKey));
    expect(await env.db.select().from(storedFiles)).toHaveLength(150);
    expect(await env.db.select().from(outboxEmails)).toHaveLength(150);
  });

  it('renders a PDF that opens, shows the total, and is mailed to the client', async () => {
    env = await connectorKernel();
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const issued = await env.act('invoices.issue', work(clientId), 'inv:pdf');
    expect(issued.result).toMatchObject({ number: '2026-0001', totalMinor: 150000, currency: 'EUR', status: 'sent', emailedTo: 'dana@acme.test' });

    const { text, png } = openPdf(await pdfOf(env, (issued.result as { pdfFileId: string }).pdfFileId));
    expect(png.width).toBeGreaterThan(400);
    expect(png.height / png.width).toBeCloseTo(841.89 / 595.28, 1);
    expect(png.bytes).toBeGreaterThan(2000);
    expect(text).toContain('Invoice');
    expect(text).toContain('2026-0001');
    expect(text).toContain('Acme Corp');
    expect(text).toContain('1,500.00 EUR');
    expect(text).toContain('Olga Operator');

    const [eml] = readdirSync(env.dirs.outbox);
    expect(eml).toBeDefined();
    expect(await env.db.select({ subject: outboxEmails.subject, attachments: outboxEmails.attachments }).from(outboxEmails)).toEqual([
      { subject: 'Invoice 2026-0001', attachments: ['2026-0001.pdf'] },
    ]);
  });

  it('issues a repeated key once: one number, one PDF, one email', async () => {
    env = await connectorKernel();
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const first = await env.act('invoices.issue', work(clientId), 'inv:dup');
    const again = await env.act('invoices.issue', work(clientId), 'inv:dup');
    expect(again.id).toBe(first.id);
    expect(await env.db.select().from(invoices)).toHaveLength(1);
    expect(await env.db.select().from(storedFiles)).toHaveLength(1);
    expect(readdirSync(env.dirs.outbox)).toHaveLength(1);
  });

  it('retries a deferred email and sends the invoice once, with its PDF attached', async () => {
    smtp = await startSmtp((attempt) => (attempt === 1 ? { code: 421, message: 'Service not available' } : 'accept'));
    env = await connectorKernel({ smtpUrl: smtp.url });
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const issued = await env.act('invoices.issue', work(clientId), 'inv:retry');
    expect(issued).toMatchObject({ state: 'succeeded', attempts: 2, result: { number: '2026-0001' } });
    expect(await env.db.select().from(invoices)).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.raw).toMatch(/Content-Type: application\/pdf; name=2026-0001\.pdf/);
  });

  it('says clearly when the email is refused: the invoice exists, numbered, unsent', async () => {
    smtp = await startSmtp(() => ({ code: 554, message: 'Transaction failed' }));
    env = await connectorKernel({ smtpUrl: smtp.url });
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const failed = await env.act('invoices.issue', work(clientId), 'inv:554');
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(
      /^2026-0001 is recorded but was not emailed: The mail server .* refused the message to dana@acme\.test: 554 Transaction failed\. Send its PDF another way, or void it\.$/,
    );
    expect(await env.db.select({ number: invoices.number, status: invoices.status }).from(invoices)).toEqual([{ number: '2026-0001', status: 'draft' }]);
  });

  it('is undone by voiding with a credit note from its own gapless series, never by deleting', async () => {
    env = await connectorKernel();
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const one = await env.act('invoices.issue', work(clientId), 'inv:v1');
    const two = await env.act('invoices.issue', work(clientId), 'inv:v2');
    const undoOne = await env.undo(one.id);
    const undoTwo = await env.undo(two.id);
    expect(undoOne).toMatchObject({
      state: 'succeeded',
      operation: 'invoices.void',
      result: { number: '2026-0001', status: 'void', creditNote: 'CN-2026-0001' },
    });
    expect(undoTwo.result).toMatchObject({ number: '2026-0002', creditNote: 'CN-2026-0002' });
    expect(await env.kernel.get(one.id)).toMatchObject({ state: 'compensated' });
    expect(await env.db.select({ number: invoices.number, status: invoices.status }).from(invoices)).toEqual([
      { number: '2026-0001', status: 'void' },
      { number: '2026-0002', status: 'void' },
    ]);
    expect(
      await env.db.select({ number: creditNotes.number, invoiceNumber: creditNotes.invoiceNumber, totalMinor: creditNotes.totalMinor }).from(creditNotes),
    ).toEqual([
      { number: 'CN-2026-0001', invoiceNumber: '2026-0001', totalMinor: 150000 },
      { number: 'CN-2026-0002', invoiceNumber: '2026-0002', totalMinor: 150000 },
    ]);
    const { text } = openPdf(await pdfOf(env, (undoOne.result as { creditNoteFileId: string }).creditNoteFileId));
    expect(text).toContain('Credit note');
    expect(text).toContain('CN-2026-0001');
    expect(text).toContain('Cancels invoice 2026-0001');
    expect(text).toContain('-1,500.00 EUR');
    // Each client email: two invoices, two credit notes.
    expect(readdirSync(env.dirs.outbox)).toHaveLength(4);
  });

  it('refuses to void a paid invoice, saying what to do instead', async () => {
    env = await connectorKernel();
    const clientId = await env.addClient('Acme Corp');
    const issued = await env.act('invoices.issue', work(clientId), 'inv:paid');
    expect(issued.result).toMatchObject({ emailedTo: null, status: 'sent' });
    await env.act('invoices.record_payment', { number: '2026-0001' }, 'pay:1');
    const refused = await env.act('invoices.void', { number: '2026-0001' }, 'void:paid');
    expect(refused).toMatchObject({ state: 'failed', error: 'Invoice 2026-0001 is paid; record the refund first, then void it.' });
    expect(await env.db.select().from(creditNotes)).toHaveLength(0);
  });

  describe('reconciliation after a crash', () => {
    it('done, not done and unknown', async () => {
      smtp = await startSmtp((attempt) => (attempt === 3 ? 'drop' : 'accept'));
      env = await connectorKernel({ smtpUrl: smtp.url }, { maxAttempts: 1 });
      const clientId = await env.addClient('Acme Corp', 'dana@acme.test');

      const done = await env.act('invoices.issue', work(clientId), 'inv:rec:done');
      await env.strandAfterRun(done.id);
      const notDone = await env.strandBeforeRun('invoices.issue', work(clientId), 'inv:rec:not');
      expect(await env.kernel.reconcile()).toEqual({ reconciled: 1, needsAttention: 0, rerun: 1, restoredEntries: 0 });
      expect(await env.kernel.get(done.id)).toMatchObject({ state: 'succeeded', result: { number: '2026-0001', emailedTo: 'dana@acme.test' } });
      expect(await env.kernel.get(notDone.id)).toMatchObject({ state: 'succeeded', result: { number: '2026-0002' } });

      const cut = await env.act('invoices.issue', work(clientId), 'inv:rec:unknown');
      expect(cut.state).toBe('failed');
      await env.strandAfterRun(cut.id);
      expect(await env.kernel.reconcile()).toEqual({ reconciled: 0, needsAttention: 1, rerun: 0, restoredEntries: 0 });
      expect(await env.db.select({ number: invoices.number }).from(invoices)).toHaveLength(3);
      expect(smtp.received).toHaveLength(3);
    });
  });
});
