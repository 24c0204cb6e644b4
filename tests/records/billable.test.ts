import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../src/core/clock.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, withBillingAddress, type TestKeel } from '../support/keel.js';

// Wednesday 25 November 2026.
const NOW = '2026-11-25T09:00:00Z';

describe('time entries and billable snapshots', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;
  const clock = new ManualClock(NOW);
  const say = async (text: string) => textIn((await keel.say(text)).replies);
  const sql = async (query: string) => (await keel.storage.client.execute(query)).rows;
  const entries = async () =>
    (await sql('SELECT description, hours_centi, worked_on, invoice_id FROM time_entries ORDER BY worked_on')).map((r) => ({
      description: String(r.description),
      hoursCenti: Number(r.hours_centi),
      workedOn: String(r.worked_on),
      invoiceId: r.invoice_id === null ? null : String(r.invoice_id),
    }));
  const invoices = async () =>
    (await sql('SELECT id, number, hours_centi, rate_minor, total_minor, status, description FROM invoices ORDER BY number')).map((r) => ({ ...r }));
  const press = async (data: string) => {
    const res = await keel.http.request('/api/decisions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-keel': '1', host: '127.0.0.1:3000' },
      body: JSON.stringify({ id: randomUUID(), action: data }),
    });
    expect(res.status).toBe(200);
  };
  const snapshot = async (text = 'bill Beta for October') => {
    const result = await keel.say(text);
    return { card: cardsIn(result.replies)[0], text: textIn(result.replies) };
  };

  beforeEach(async () => {
    db = tempDatabase();
    keel = await startKeel({ url: db.url, clock });
    await say('Add Beta GmbH as a client, contact Tom tom@beta.test');
    await withBillingAddress(keel, 'Beta GmbH');
    expect(await say('spent 3h on workshop prep for Beta on 2026-10-06')).toMatch(/^Logged 3 h for Beta GmbH on Tue 6 Oct: workshop prep \[time_\w+\]\.$/);
    expect(await say('2.5h call with Tom on 2026-10-20')).toMatch(/^Logged 2\.5 h for Beta GmbH on Tue 20 Oct: call with Tom/);
    expect(await say('2.5h call with Tom yesterday')).toMatch(/on Tue 24 Nov: call with Tom/);
  });
  afterEach(() => {
    keel.close();
    db.remove();
  });

  it('asks for a rate when there is no accepted proposal or earlier invoice, and takes the accepted proposal’s rate when there is one', async () => {
    expect(await say('bill Beta for October')).toMatch(/^What hourly rate should I bill Beta GmbH for 5\.5 h in October 2026\?/);
    await say('draft a proposal for Beta: workshop, 10 hours at 140 EUR');
    await say('Beta accepted the proposal');

    const { card } = await snapshot();
    expect(card).toBeDefined();
    expect(card!.facts).toContainEqual({ label: 'Total', value: '770.00 EUR' });
    expect(card!.facts).toContainEqual({ label: 'For', value: 'October 2026: workshop prep 3 h, call with Tom 2.5 h' });
    const listed = card!.facts.find((f) => f.label === 'Entries')!.value;
    expect(listed).toMatch(/^2026-10-06 workshop prep 3 h \[time_\w+\]; 2026-10-20 call with Tom 2\.5 h \[time_\w+\]$/);
    expect(card!.reason).toMatch(/2 unbilled time entries, 5\.5 h; rate 140\.00 EUR\/h from the accepted proposal "Workshop"/);
    const ids = [...listed.matchAll(/\[(time_\w+)\]/g)].map((m) => m[1]!);
    expect(card!.evidence).toEqual(expect.arrayContaining(ids));
    // Nothing is billed until the invoice is issued.
    expect((await entries()).every((e) => e.invoiceId === null)).toBe(true);

    await keel.tap(card!.ref);
    const [invoice] = await invoices();
    expect(invoice).toMatchObject({ number: '2026-0001', hours_centi: 550, rate_minor: 14000, total_minor: 77000, status: 'sent' });
    expect((await entries()).map((e) => e.invoiceId)).toEqual([invoice!.id, invoice!.id, null]);
    expect(await say('bill Beta for October')).toMatch(/^Beta GmbH has no unbilled time for October 2026\./);
  });

  it('bills each entry once across an edit, a rejection, a second card and a rewind; voiding the invoice frees them', async () => {
    // The last rate billed, when no proposal was accepted.
    await keel.tap(cardsIn((await keel.say('Invoice Beta 1 hour at 120 EUR for setup')).replies)[0]!.ref);

    const rejected = await snapshot();
    await keel.tap(rejected.card!.ref, 'reject');
    expect((await entries()).every((e) => e.invoiceId === null)).toBe(true);

    const first = await snapshot();
    expect(first.card!.facts).toContainEqual({ label: 'Total', value: '660.00 EUR' });
    // While that card waits, its entries are its own: a second snapshot finds nothing more to bill.
    expect((await snapshot()).text).toMatch(/no unbilled time for October 2026\. Some are on an invoice card that still waits/);

    await press(`edit:${first.card!.ref}`);
    const edited = cardsIn((await keel.say('make it 6 hours')).replies).find((c) => c.ref !== first.card!.ref)!;
    expect(edited.facts).toContainEqual({ label: 'Total', value: '720.00 EUR' });
    expect(edited.facts.find((f) => f.label === 'Entries')?.value).toContain('workshop prep');
    expect(textIn((await keel.tap(first.card!.ref)).replies)).toMatch(/superseded/);
    await keel.tap(edited.ref);
    await keel.tap(edited.ref);

    const issued = (await invoices()).filter((i) => i.number !== '2026-0001');
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ number: '2026-0002', hours_centi: 600, total_minor: 72000 });
    expect((await entries()).map((e) => e.invoiceId)).toEqual([issued[0]!.id, issued[0]!.id, null]);

    // A rewind to before the snapshot's tools replays it: the ledger recognises what it proposed, nothing is billed again.
    const history = textIn((await keel.say('/history 60')).replies);
    const step = history.split('\n').find((line) => line.includes('before tools') && line.includes('bill Beta for October'));
    expect(step).toBeDefined();
    await keel.say(`/rewind ${step!.split(' · ')[0]}`);
    expect(await invoices()).toHaveLength(2);
    expect((await entries()).map((e) => e.invoiceId)).toEqual([issued[0]!.id, issued[0]!.id, null]);

    // Voiding the invoice frees its entries; the next snapshot bills them again, once.
    await keel.tap(cardsIn((await keel.say('void invoice 2026-0002')).replies)[0]!.ref);
    expect((await entries()).every((e) => e.invoiceId === null)).toBe(true);
    const again = await snapshot();
    await keel.tap(again.card!.ref);
    const third = (await invoices()).find((i) => i.number === '2026-0003')!;
    expect(third).toMatchObject({ total_minor: 66000, status: 'sent' });
    expect((await entries()).map((e) => e.invoiceId)).toEqual([third.id, third.id, null]);
  });

  it('refuses at the kernel to bill an entry that another issued invoice already holds, and issues nothing', async () => {
    const [beta] = await sql("SELECT id FROM clients WHERE name = 'Beta GmbH'");
    const ids = (await sql("SELECT id FROM time_entries WHERE worked_on < '2026-11-01'")).map((r) => String(r.id));
    const request = (key: string) => ({
      operation: 'invoices.issue',
      input: { clientId: String(beta!.id), description: 'October', hoursCenti: 550, rateMinor: 10000, currency: 'EUR', entryIds: ids },
      idempotencyKey: key,
      agent: 'operator',
      reason: 'test',
      evidence: [],
    });
    const one = await keel.kernel.propose(request('snapshot-a'));
    const two = await keel.kernel.propose(request('snapshot-b'));
    await keel.kernel.decide({ ref: one.cardRef!, decision: 'approve', by: 'operator' });
    await keel.kernel.decide({ ref: two.cardRef!, decision: 'approve', by: 'operator' });
    expect((await keel.kernel.execute(one.id)).state).toBe('succeeded');
    const refused = await keel.kernel.execute(two.id);
    expect(refused.state).toBe('failed');
    expect(refused.error).toBe('Nothing was issued: time it bills is already billed on invoice 2026-0001. Ask for the snapshot again.');
    expect(await invoices()).toHaveLength(1);
    expect(Number((await sql('SELECT last FROM invoice_counters'))[0]!.last)).toBe(1);
  });
});
