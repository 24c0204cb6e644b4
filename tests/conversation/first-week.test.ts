import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { renderSlackCard, renderTelegramCard, renderWeb } from '../../src/bots/presenter/index.js';
import { cardsIn, keelWithAcme, startKeel, textIn, type TestKeel } from '../support/keel.js';
import { tempDatabase } from '../support/db.js';

/** A consultant's first week through the web chat (issue 18): outliers, references by invoice number, duplicate clients. */
describe('a first week in the web chat', () => {
  let keel: TestKeel;
  const clock = new ManualClock('2026-11-25T10:00:00Z');
  keelWithAcme((k) => (keel = k), { per: 'test', clock });

  const sql = async (query: string) => (await keel.storage.client.execute(query)).rows;
  const invoiceCard = async (text: string) => cardsIn((await keel.say(text)).replies)[0]!;
  /** Issues an invoice through its card, so it becomes the client's history. */
  const issue = async (text: string) => {
    await keel.tap((await invoiceCard(text)).ref);
  };

  it('a rate far from the last one billed is flagged on the card in every presenter, and /pending keeps it out of the batch', async () => {
    await issue('Invoice Acme 10 hours at 140 EUR for October consulting');
    const outlier = await keel.say('invoice acme 10 hrs at 1,500 EUR for November consulting');
    const [card] = cardsIn(outlier.replies);
    expect(card?.facts[0]).toEqual({
      label: '⚠ Rate',
      value: expect.stringMatching(/1,500\.00 EUR\/h is more than 3× the last rate billed, 140\.00 EUR\/h \(invoice 2026-0001\)/),
    });
    expect(card?.facts.find((f) => f.label === '⚠ Total')?.value).toMatch(/15,000\.00 EUR is more than 3× the largest invoice so far, 1,400\.00 EUR/);
    expect(textIn(outlier.replies)).toMatch(/Check before approving: ⚠ Rate/);
    expect(renderWeb({ kind: 'card', card: card! })).toContain('⚠ Rate');
    expect(renderTelegramCard(card!).html).toContain('⚠ Rate');
    expect(JSON.stringify(renderSlackCard(card!))).toContain('⚠ Rate');

    const low = await invoiceCard('Invoice Acme 2 hours at 30 EUR for a quick review');
    expect(low.facts[0]?.value).toMatch(/30\.00 EUR\/h is less than a third of the last rate billed/);
    await invoiceCard('Invoice Acme 3 hours at 150 EUR for a workshop');
    await invoiceCard('Invoice Acme 4 hours at 140 EUR for a report');

    const pending = await keel.say('/pending');
    const batches = pending.replies.flatMap((r) => (r.kind === 'batch' ? [r.batch] : []));
    expect(batches).toHaveLength(1);
    expect(batches[0]?.summary).toBe('Approve these 2 invoices, total 1,010.00 EUR');
    expect(batches[0]?.lines.join('\n')).not.toContain(card!.actionId);
    expect(textIn(pending.replies)).toMatch(/Check these 2 on their own, not in the batch above \(⚠ on the card\)/);
    expect(
      cardsIn(pending.replies)
        .filter((c) => c.facts.some((f) => f.label.startsWith('⚠')))
        .map((c) => c.actionId),
    ).toEqual([card!.actionId, low.actionId]);
    expect(await sql('SELECT count(*) AS n FROM invoices')).toEqual([expect.objectContaining({ n: 1 })]);
  });

  it('an edit is checked again: bringing the rate into line drops the warning, taking it far away adds one', async () => {
    await issue('Invoice Acme 10 hours at 140 EUR for October consulting');
    /** Presses a card button the way the web page does. */
    const press = async (data: string) =>
      keel.http.request('/api/decisions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-keel': '1', host: '127.0.0.1:3000' },
        body: JSON.stringify({ id: randomUUID(), action: data }),
      });
    const typo = await invoiceCard('Invoice Acme 10 hours at 1,500 EUR for November consulting');
    await press(`edit:${typo.ref}`);
    const fixed = cardsIn((await keel.say('rate 150 EUR')).replies).find((c) => c.ref !== typo.ref);
    expect(fixed?.facts).toContainEqual({ label: 'Rate', value: '150.00 EUR/h' });
    expect(fixed?.facts.some((f) => f.label.startsWith('⚠'))).toBe(false);
    await press(`edit:${fixed!.ref}`);
    const far = cardsIn((await keel.say('rate 20 EUR')).replies).find((c) => c.ref !== fixed!.ref);
    expect(far?.facts[0]?.label).toBe('⚠ Rate');
  });

  it('an invoice in line with the history, or for a client with none, carries no warning', async () => {
    const first = await invoiceCard('Invoice Acme 100 hours at 1,500 EUR for a big first project');
    expect(first.facts.some((f) => f.label.startsWith('⚠'))).toBe(false);
    await keel.tap(first.ref);
    const usual = await invoiceCard('Invoice Acme 50 hours for the follow-up');
    expect(usual.facts.some((f) => f.label.startsWith('⚠'))).toBe(false);
  });

  it('/why, /undo and "void invoice" take an invoice number; the void is proposed through invoices.void and runs on approval', async () => {
    await issue('Invoice Acme 10 hours at 150 EUR for October consulting');
    const [issued] = await sql("SELECT id, idempotency_key FROM actions WHERE operation = 'invoices.issue'");
    const why = textIn((await keel.say('/why 2026-0001')).replies);
    expect(why).toContain(`Why issue an invoice (action ${issued!.id}, succeeded)`);
    expect(why).toMatch(/10 h/);
    expect(textIn((await keel.say(`/why ${issued!.id}`)).replies)).toContain(`action ${issued!.id}`);
    expect(textIn((await keel.say('/why 2026-0099')).replies)).toMatch(/Which action\? Use \/why <action id or invoice number>/);

    const undo = cardsIn((await keel.say('/undo 2026-0001')).replies);
    expect(undo.map((c) => c.title)).toEqual([expect.stringMatching(/void an invoice/i)]);
    await keel.tap(undo[0]!.ref, 'reject');

    const voided = await keel.say('void invoice 2026-0001');
    const [card] = cardsIn(voided.replies);
    const [proposal] = await sql(`SELECT operation, input, agent FROM actions WHERE id = '${card!.actionId}'`);
    expect(proposal).toMatchObject({ operation: 'invoices.void', input: JSON.stringify({ number: '2026-0001' }), agent: 'finance' });
    const done = textIn((await keel.tap(card!.ref)).replies);
    expect(done).toMatch(/Done — void an invoice with a credit note/);
    expect(await sql("SELECT status FROM invoices WHERE number = '2026-0001'")).toEqual([expect.objectContaining({ status: 'void' })]);
    expect(textIn((await keel.say('void invoice 2026-0001')).replies)).toMatch(/cannot be voided: it is void|Already/);
    expect(textIn((await keel.say('void invoice 2026-0042')).replies)).toMatch(/There is no invoice 2026-0042/);
  });
});

describe('a likely duplicate client', () => {
  let keel: TestKeel;
  keelWithAcme((k) => (keel = k), { per: 'test' });
  const clientNames = async () => (await keel.storage.client.execute('SELECT name FROM clients ORDER BY name')).rows.map((r) => r.name);

  it('is asked about instead of created, and created once the operator says it is new', async () => {
    await keel.say('Add Gamma as a client, contact gina@gamma.test');
    const asked = textIn((await keel.say('add Gamma AG as a client')).replies);
    expect(asked).toMatch(/Is "Gamma AG" the same client as Gamma <gina@gamma\.test>\?.*say "add Gamma AG as a new client"/s);
    // The same name in other letters updates that client, as before.
    expect(textIn((await keel.say('add acme corp as a client, contact ops@acme.test')).replies)).toMatch(/Updated client acme corp/);
    expect(textIn((await keel.say('add Acme Corporation Ltd as a client')).replies)).toMatch(/same client as Acme Corp/);
    expect(textIn((await keel.say('draft a proposal for Gamma Analytics, 10 hours at 150 EUR')).replies)).toMatch(/same client as Gamma/);
    expect(await clientNames()).toEqual(['Acme Corp', 'Gamma']);

    expect(textIn((await keel.say('add Gamma AG as a new client')).replies)).toMatch(/Added client Gamma AG/);
    expect(await clientNames()).toEqual(['Acme Corp', 'Gamma', 'Gamma AG']);
    // An unrelated name is added as before.
    expect(textIn((await keel.say('Add Delta Labs as a client')).replies)).toMatch(/Added client Delta Labs/);
  });
});

describe("a meeting booked in the operator's time zone", () => {
  it('says the time in words in that zone on the card and in the "Done" line, never an ISO instant', async () => {
    const db = tempDatabase();
    const keel = await startKeel({ url: db.url, clock: new ManualClock('2026-11-25T10:00:00Z'), env: { TZ: 'Europe/Berlin' } });
    try {
      await keel.say('Add Acme Corp as a client, contact dana@acme.test');
      const [card] = cardsIn((await keel.say('book a call with Dana on 2026-12-01 16:00')).replies);
      expect(card?.facts.find((f) => f.label === 'When')?.value).toMatch(/^Tuesday,? 1 December 2026 at 16:00 \(Europe\/Berlin\)$/);
      const done = textIn((await keel.tap(card!.ref)).replies);
      expect(done).toMatch(/Done — .* on Tuesday,? 1 December 2026 at 16:00 \(Europe\/Berlin\)/);
      expect(done).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    } finally {
      keel.close();
      db.remove();
    }
  });
});
