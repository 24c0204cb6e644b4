import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { composeDigest } from '../../src/jobs/index.js';
import { cardsIn, keelWithAcme, textIn, withBillingAddress, type TestKeel } from '../support/keel.js';

/**
 * Approvals that respect the operator's time, through the web chat: buttons are
 * pressed through its HTTP API (/api/decisions), as the page does.
 */
describe('approvals in the web chat: edit, why, rules, expiry, batches', () => {
  let keel: TestKeel;
  const clock = new ManualClock('2026-11-25T10:00:00Z');
  keelWithAcme((k) => (keel = k), { per: 'test', clock });

  /** Presses a card button the way the page does: POST /api/decisions with the button's data. */
  const press = async (data: string) => {
    const res = await keel.http.request('/api/decisions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-keel': '1', host: '127.0.0.1:3000' },
      body: JSON.stringify({ id: randomUUID(), action: data }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { replies: string[] }).replies.join('\n');
  };
  const sql = async (query: string) => (await keel.storage.client.execute(query)).rows;
  const invoices = async () => (await sql('SELECT total_minor FROM invoices ORDER BY number')).map((r) => Number(r.total_minor));
  const invoiceCard = async (text: string) => cardsIn((await keel.say(text)).replies)[0]!;

  it('edits a card in plain words: one effect with the edited values, the old card cannot be approved, the audit shows who changed what', async () => {
    const original = await invoiceCard('Invoice Acme 10 hours at 150 EUR for October consulting');
    expect(await press(`edit:${original.ref}`)).toMatch(/What should change/);
    const edited = await keel.say('make it 12 hours');
    const [oldCard, newCard] = [cardsIn(edited.replies).find((c) => c.ref === original.ref), cardsIn(edited.replies).find((c) => c.ref !== original.ref)];
    expect(oldCard?.state).toBe('superseded');
    expect(newCard?.facts).toContainEqual({ label: 'Total', value: '1,800.00 EUR' });
    expect(textIn(edited.replies)).toMatch(/Replaced/);

    const stale = textIn((await keel.tap(original.ref)).replies);
    expect(stale).toMatch(/superseded/);
    expect(await invoices()).toEqual([]);

    expect(textIn((await keel.tap(newCard!.ref)).replies)).toMatch(/1,800\.00 EUR/);
    await keel.tap(newCard!.ref);
    await keel.tap(original.ref);
    expect(await invoices()).toEqual([180000]);

    const [edit] = await sql(`SELECT actor, detail FROM audit_log WHERE event = 'edited' AND action_id = '${original.actionId}'`);
    expect(edit?.actor).toBe('web:operator');
    const detail = JSON.parse(String(edit?.detail)) as { original: { hoursCenti: number }; edited: { hoursCenti: number }; replacedByKey: string };
    expect(detail.original.hoursCenti).toBe(1000);
    expect(detail.edited.hoursCenti).toBe(1200);
    const [replacement] = await sql(`SELECT idempotency_key, evidence FROM actions WHERE id = '${newCard!.actionId}'`);
    expect(replacement?.idempotency_key).toBe(detail.replacedByKey);
    expect(replacement?.idempotency_key).not.toBe((await sql(`SELECT idempotency_key FROM actions WHERE id = '${original.actionId}'`))[0]?.idempotency_key);
    expect(String(replacement?.evidence)).toContain(original.actionId);
  });

  it('sends an edited email to the new address, once', async () => {
    const [card] = cardsIn((await keel.say('draft a follow-up to Dana about the workshop')).replies);
    expect(card?.facts).toContainEqual({ label: 'To', value: 'dana@acme.test' });
    await press(`edit:${card!.ref}`);
    const replacement = cardsIn((await keel.say('send it to billing@acme.test instead')).replies).find((c) => c.ref !== card!.ref);
    expect(replacement?.facts).toContainEqual({ label: 'To', value: 'billing@acme.test' });
    await keel.tap(replacement!.ref);
    await keel.tap(replacement!.ref);
    expect((await sql('SELECT "to" FROM outbox_emails')).map((r) => r.to)).toEqual(['billing@acme.test']);
  });

  it('answers a bad edit clearly and changes nothing', async () => {
    const card = await invoiceCard('Invoice Acme 10 hours at 150 EUR for October consulting');
    const actions = await keel.count('actions');
    await press(`edit:${card.ref}`);
    expect(textIn((await keel.say('make it -3 hours')).replies)).toMatch(/more than zero.*Nothing was changed/s);
    await press(`edit:${card.ref}`);
    expect(textIn((await keel.say('send it to billing@acme instead')).replies)).toMatch(/"billing@acme" is not an email address.*Nothing was changed/s);
    await press(`edit:${card.ref}`);
    expect(textIn((await keel.say('send it to billing@acme.test instead')).replies)).toMatch(/has no to to change.*Nothing was changed/s);
    expect(await keel.count('actions')).toBe(actions);
    expect((await keel.kernel.get(card.actionId))?.state).toBe('awaiting_approval');
    expect(textIn((await keel.say('make it 12 hours')).replies)).toMatch(/Which card should change\? Tap Edit/);
    await keel.tap(card.ref);
    expect(await invoices()).toEqual([150000]);
  });

  it('deciding the card being edited ends the edit: the next message is a request again', async () => {
    const card = await invoiceCard('Invoice Acme 10 hours at 150 EUR for October consulting');
    await press(`edit:${card.ref}`);
    await keel.tap(card.ref);
    expect(textIn((await keel.say("what's overdue?")).replies)).toMatch(/No overdue invoices/);
  });

  it('Why? shows the reasons and the evidence with their ids, inline', async () => {
    const card = await invoiceCard('Invoice Acme 10 hours at 150 EUR for October consulting');
    const why = await press(`why:${card.ref}`);
    expect(why).toContain('finance agent');
    expect(why).toMatch(/client \[cli_\w+\]: .*Acme Corp/);
    expect(why).toMatch(/your message \[msg:web:/);
    expect((await keel.kernel.get(card.actionId))?.state).toBe('awaiting_approval');
  });

  it('a standing rule approves the next matching action and not others; /rules counts it; revoking restores the gate', async () => {
    await keel.say('Add Beta GmbH as a client, contact lee@beta.test');
    await withBillingAddress(keel, 'Beta GmbH');
    // Acme becomes an existing client: an invoice approved by hand.
    await keel.tap((await invoiceCard('Invoice Acme 2 hours at 100 EUR for setup')).ref);

    const [ruleCard] = cardsIn((await keel.say('always approve invoices under 500 EUR to existing clients')).replies);
    expect(ruleCard?.title).toBe('Create a standing approval rule');
    expect(ruleCard?.facts).toContainEqual({ label: 'Up to', value: '500.00 EUR' });
    expect(await keel.count('standing_rules')).toBe(0);
    expect(textIn((await keel.tap(ruleCard!.ref)).replies)).toMatch(/Done — create a standing approval rule: rule_\w+ \(\/rules lists it\)/);

    const matching = await keel.say('Invoice Acme 3 hours at 150 EUR for a review');
    expect(cardsIn(matching.replies)).toEqual([]);
    expect(textIn(matching.replies)).toMatch(/450\.00 EUR.*Approved by your standing rule rule_/s);
    expect(await invoices()).toEqual([20000, 45000]);

    expect(cardsIn((await keel.say('Invoice Acme 4 hours at 150 EUR for a review')).replies)).toHaveLength(1);
    expect(cardsIn((await keel.say('Invoice Beta 2 hours at 150 EUR for a review')).replies)).toHaveLength(1);
    expect(await invoices()).toEqual([20000, 45000]);

    const [approvedByRule] = await sql(`SELECT actor, reason FROM audit_log WHERE actor LIKE 'rule:%' AND event = 'approved'`);
    expect(approvedByRule?.reason).toMatch(/^approved by rule rule_\w+: Always approve invoices under 500 EUR to existing clients/);

    const rules = textIn((await keel.say('/rules')).replies);
    expect(rules).toMatch(
      /rule_\w+ · active · fired 1× · "Always approve invoices under 500 EUR to existing clients" \(invoices\.issue, up to 500\.00 EUR, existing clients only\)/,
    );
    const ruleId = /(rule_\w+) · active/.exec(rules)![1]!;

    clock.advance(24 * 3_600_000);
    const digest = textIn(await composeDigest({ db: keel.storage.db, kernel: keel.kernel, clock, timeZone: 'UTC' }));
    expect(digest).toMatch(
      new RegExp(
        `Approved by your standing rules yesterday \\(1\\)\\n• Done — issue an invoice: invoice 2026-0002, 450\\.00 EUR — written to the outbox folder for dana@acme\\.test \\(no SMTP configured, so it was not emailed\\) — approved by rule ${ruleId}`,
      ),
    );

    expect(textIn((await keel.say(`/rules pause ${ruleId}`)).replies)).toMatch(/is paused/);
    expect(cardsIn((await keel.say('Invoice Acme 1 hour at 150 EUR for a call')).replies)).toHaveLength(1);
    expect(textIn((await keel.say(`/rules resume ${ruleId}`)).replies)).toMatch(/is resumed/);
    expect(textIn((await keel.say(`/rules revoke ${ruleId}`)).replies)).toMatch(/is revoked/);
    expect(cardsIn((await keel.say('Invoice Acme 3 hours at 150 EUR for a review')).replies)).toHaveLength(1);
    expect(await invoices()).toEqual([20000, 45000]);
    expect(textIn((await keel.say('/rules')).replies)).toMatch(/No standing rules/);
  });

  it('a rule for emails, which cannot be unsent, says so on its card and takes the tap as the explicit confirmation', async () => {
    const [ruleCard] = cardsIn((await keel.say('always approve emails to acme.test')).replies);
    expect(ruleCard?.facts.find((f) => f.label === 'Warning')?.value).toMatch(/cannot be undone.*explicit confirmation/);
    await keel.tap(ruleCard!.ref);
    const sent = await keel.say('draft a follow-up to Dana about the workshop');
    expect(cardsIn(sent.replies)).toEqual([]);
    expect(await keel.count('outbox_emails')).toBe(1);
  });

  it('an expired card cannot be approved, and says what was not done', async () => {
    const card = await invoiceCard('Invoice Acme 10 hours at 150 EUR for October consulting');
    clock.advance(49 * 3_600_000);
    expect(textIn((await keel.tap(card.ref)).replies)).toMatch(/expired at .*nothing was done/);
    expect(await press(`edit:${card.ref}`)).toMatch(/no longer open/);
    expect(await invoices()).toEqual([]);
  });

  it('/pending groups cards by kind; one tap approves a batch of 5, and a double tap gives 5 effects, not 10', async () => {
    for (const hours of [1, 2, 3, 4, 5]) await invoiceCard(`Invoice Acme ${hours} hours at 100 EUR for batch work`);
    await keel.say('draft a follow-up to Dana about the batch');
    const pending = await keel.say('/pending');
    const batch = pending.replies.flatMap((r) => (r.kind === 'batch' ? [r.batch] : []))[0];
    expect(batch?.summary).toBe('Approve these 5 invoices, total 1,500.00 EUR');
    expect(textIn(pending.replies)).toMatch(/Invoices \(5\)[\s\S]*Emails \(1\)/);
    expect(cardsIn(pending.replies)).toHaveLength(6);
    const ref = batch!.ref;

    const [first, second] = await Promise.all([press(`batch:${ref}`), press(`batch:${ref}`)]);
    expect(`${first}\n${second}`).toMatch(/Approved 5 of 5 by web:operator/);
    expect(`${first}\n${second}`).toMatch(/All 5 were already decided; nothing more was done/);
    expect(await invoices()).toEqual([10000, 20000, 30000, 40000, 50000]);
    expect(await keel.count("actions WHERE operation = 'invoices.issue' AND state = 'succeeded'")).toBe(5);
    expect(await keel.count("audit_log WHERE event = 'approved' AND operation = 'invoices.issue'")).toBe(5);
    expect((await keel.kernel.list({ states: ['awaiting_approval'] })).map((a) => a.operation)).toEqual(['email.send']);
  });
});
