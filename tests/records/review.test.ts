import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { Outbound } from '../../src/graph/index.js';
import { composeReviewFigures, monthOf } from '../../src/records/index.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, withBillingAddress, type TestKeel } from '../support/keel.js';

/** Width, height and the inflated pixel rows of a PNG, checked chunk by chunk: the image decodes, or this throws. */
function decodePng(bytes: Buffer): { width: number; height: number; rows: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  let offset = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = 0;
  const data: Buffer[] = [];
  for (;;) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      bitDepth = body[8]!;
      colorType = body[9]!;
    }
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  const channels = ({ 2: 3, 6: 4, 0: 1, 4: 2 } as Record<number, number>)[colorType]!;
  const raw = inflateSync(Buffer.concat(data));
  expect(bitDepth).toBe(8);
  expect(raw.length).toBe(height * (1 + width * channels));
  return { width, height, rows: height };
}

/**
 * The monthly review against a seeded three-month history (September to November 2026, TZ UTC), made through chat as
 * the operator would: invoices issued, edited, rejected and paid; a proposal sent and accepted.
 */
describe('the monthly review', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;
  const clock = new ManualClock('2026-09-10T09:00:00Z');
  const at = (iso: string) => clock.set(new Date(iso));
  const say = async (text: string) => textIn((await keel.say(text)).replies);
  const approve = async (text: string) => {
    const [card] = cardsIn((await keel.say(text)).replies);
    return textIn((await keel.tap(card!.ref)).replies);
  };

  beforeAll(async () => {
    db = tempDatabase();
    keel = await startKeel({ url: db.url, clock });
    await keel.scheduler.sync();
    await say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    await approve('Invoice Acme 10 hours at 100 EUR for September work'); // 2026-0001, 1,000 EUR, due 10 Oct
    at('2026-09-20T09:00:00Z');
    await approve('Acme paid invoice 2026-0001');
    at('2026-10-05T09:00:00Z');
    // Edited before approval: 12 hours instead of 20.
    const [card] = cardsIn((await keel.say('Invoice Acme 20 hours at 100 EUR for October work')).replies);
    await keel.http.request('/api/decisions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-keel': '1', host: '127.0.0.1:3000' },
      body: JSON.stringify({ id: randomUUID(), action: `edit:${card!.ref}` }),
    });
    const edited = cardsIn((await keel.say('make it 12 hours')).replies).find((c) => c.ref !== card!.ref)!;
    await keel.tap(edited.ref); // 2026-0002, 1,200 EUR, due 4 Nov, never paid
    at('2026-10-12T09:00:00Z');
    await say('draft a proposal for Beta: workshop, 10 hours at 150 EUR');
    await say('mark the Beta proposal as sent');
    at('2026-11-03T09:00:00Z');
    await say('Beta accepted the proposal');
    at('2026-11-10T09:00:00Z');
    const [rejected] = cardsIn((await keel.say('Invoice Acme 5 hours at 100 EUR for November work')).replies);
    await keel.tap(rejected!.ref, 'reject');
  }, 120_000);
  afterAll(() => {
    keel.close();
    db.remove();
  });

  it('states money, pipeline and decisions for November with the trend from September', async () => {
    at('2026-11-30T18:00:00Z');
    const november = monthOf(clock.now(), 'UTC');
    expect(november).toMatchObject({ label: 'November 2026', from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') });
    const r = await composeReviewFigures({ db: keel.storage.db, kernel: keel.kernel, timeZone: 'UTC' }, november, new Date('2026-12-01T08:00:00Z'));
    expect(r.money).toEqual([
      { month: 'September 2026', invoiced: { EUR: 100000 }, collected: { EUR: 100000 }, overdue: {} },
      { month: 'October 2026', invoiced: { EUR: 120000 }, collected: {}, overdue: {} },
      { month: 'November 2026', invoiced: {}, collected: {}, overdue: { EUR: 120000 } },
    ]);
    expect(r.pipeline).toEqual([
      { month: 'September 2026', sent: 0, accepted: 0, declined: 0, acceptedValue: {} },
      { month: 'October 2026', sent: 1, accepted: 0, declined: 0, acceptedValue: {} },
      { month: 'November 2026', sent: 0, accepted: 1, declined: 0, acceptedValue: { EUR: 150000 } },
    ]);
    expect(r.decisions).toEqual([{ agent: 'finance', operation: 'invoices.issue', approved: 0, edited: 0, rejected: 1, expired: 0, byRule: 0 }]);
    expect(r.carriedOut).toEqual({ sales: 1 });

    const october = await composeReviewFigures(
      { db: keel.storage.db, kernel: keel.kernel, timeZone: 'UTC' },
      monthOf(new Date('2026-10-15T00:00:00Z'), 'UTC'),
      clock.now(),
    );
    expect(october.decisions).toEqual([{ agent: 'finance', operation: 'invoices.issue', approved: 1, edited: 1, rejected: 0, expired: 0, byRule: 0 }]);
    // The prospect added with the proposal, the proposal, and its outcome; the edited invoice.
    expect(october.carriedOut).toEqual({ finance: 1, sales: 3 });
  });

  it('arrives by itself on the first of the month, once, with the chart as a PNG that decodes', async () => {
    at('2026-12-01T08:00:30Z');
    expect(await keel.scheduler.tick()).toContain('monthly-review');
    const notice = await keel.kernel.byKey('review:op:owner:2026-11');
    const sent = (await keel.kernel.list()).filter((a) => a.operation === 'operator.notify' && a.idempotencyKey.startsWith('review:'));
    expect(sent).toHaveLength(1);
    const messages = (sent[0]!.input as { messages: Outbound[] }).messages;
    const text = messages.flatMap((m) => (m.kind === 'text' ? [m.text] : [])).join('\n');
    expect(text).toContain('Monthly review — November 2026');
    expect(text).toContain('• finance invoices.issue: 0 · 0 · 1 · 0 · 0 — 100% edited or rejected');
    expect(text).toContain('• November 2026: 0 · 0 · 1,200.00 EUR');
    expect(text).toContain('• November 2026: 0 · 1 · 0 · 1,500.00 EUR');
    const file = messages.find((m) => m.kind === 'file');
    expect(file?.kind === 'file' && file.file).toMatchObject({ name: 'review-2026-11.png', contentType: 'image/png' });
    const [row] = (await keel.storage.client.execute({ sql: 'SELECT sha256, size FROM files WHERE id = ?', args: [file?.kind === 'file' ? file.file.id : ''] }))
      .rows;
    const folder = join(dirname(fileURLToPath(db.url)), 'files');
    const bytes = readFileSync(join(folder, String(row!.sha256).slice(0, 2), String(row!.sha256)));
    expect(bytes.length).toBe(Number(row!.size));
    const png = decodePng(bytes);
    expect(png).toMatchObject({ width: 1280, height: 600 });
    expect(bytes.length).toBeGreaterThan(5_000);
    expect(bytes.length).toBeLessThan(500_000);
    // A later tick the same month sends nothing more.
    clock.advance(3_600_000);
    await keel.scheduler.tick();
    expect((await keel.kernel.list()).filter((a) => a.operation === 'operator.notify' && a.idempotencyKey.startsWith('review:'))).toHaveLength(1);
    expect(notice === undefined || notice.state === 'succeeded').toBe(true);
  });

  it('answers /review any time with this month so far', async () => {
    const replies = (await keel.say('/review')).replies;
    expect(textIn(replies)).toMatch(/^Monthly review — December 2026/);
    expect(replies.some((m) => m.kind === 'file')).toBe(true);
  });
});
