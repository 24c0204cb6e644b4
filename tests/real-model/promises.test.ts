import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WEB_SENDER } from '../../src/bots/web/index.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, type TestKeel, withBillingAddress } from '../support/keel.js';
import { startRealisticModel, type RealisticModel } from '../support/realistic-model.js';

/**
 * Keel's promises with a model that behaves like real ones: new tool-call ids
 * on every call, repeated calls, arguments that are not JSON, success claimed
 * in prose, hangs and HTTP failures. The real ChatOpenAI client talks to the
 * realistic model server (tests/support/realistic-model.ts); nothing is mocked.
 */
describe('with a realistic model', () => {
  let db: ReturnType<typeof tempDatabase>;
  let model: RealisticModel;
  let keel: TestKeel;

  beforeEach(async () => {
    db = tempDatabase();
    model = await startRealisticModel();
    keel = await startKeel({ url: db.url, env: { OPENAI_BASE_URL: model.url, MODEL_TIMEOUT_SECONDS: '2', MODEL_MAX_RETRIES: '2' } });
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
  });
  afterEach(async () => {
    keel.close();
    await model.close();
    db.remove();
  });

  const invoices = () => keel.count('invoices');
  const issueActions = async () => (await keel.kernel.list()).filter((a) => a.operation === 'invoices.issue');
  const emailsSent = () => keel.count('outbox_emails');
  const webEvent = (eventId: string, text: string) => ({ transport: 'web', sender: WEB_SENDER, chat: 'web', eventId, payload: { kind: 'text', text } });

  it('costs at most two model calls for a simple request, and says what happened from the ledger', async () => {
    const before = model.calls().length;
    const reply = await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting');
    expect(model.calls().length - before).toBe(2);
    expect(cardsIn(reply.replies)).toHaveLength(1);
    expect(textIn(reply.replies)).toContain('Prepared for your approval: issue an invoice');
  });

  it('a rewind before the invoice turn, with a model that picks new ids, issues and emails nothing twice', async () => {
    const card = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    await keel.tap(card.ref);
    expect(await invoices()).toBe(1);
    // A turn is checkpointed at its input and where it ends: the invoice request's input checkpoint is listed just below its turn.
    const lines = textIn((await keel.say('/history 30')).replies).split('\n');
    const step = lines[lines.findLastIndex((line) => line.includes('Invoice Acme')) + 1];
    expect(step).toContain(' · before __start__');
    const calls = model.calls().length;
    const rewound = await keel.say(`/rewind ${step!.split(' · ')[0]}`);
    // The model was asked again (new ids), and the ledger recognised the request's invoice.
    expect(model.calls().length).toBeGreaterThan(calls);
    expect(textIn(rewound.replies)).toContain('Already done for this request, not repeated: Issued invoice 2026-0001');
    expect(cardsIn(rewound.replies).filter((c) => c.state === 'awaiting_approval')).toHaveLength(0);
    expect(await invoices()).toBe(1);
    expect(await issueActions()).toHaveLength(1);
    expect(await emailsSent()).toBeLessThanOrEqual(1);
  });

  it('a replay that proposes something new gets a card even where a standing rule would approve it', async () => {
    const rule = cardsIn((await keel.say('always approve invoices to Acme under 5000 EUR')).replies)[0]!;
    await keel.tap(rule.ref);
    const first = await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting');
    expect(textIn(first.replies)).toContain('Approved by your standing rule');
    expect(await invoices()).toBe(1);
    const lines = textIn((await keel.say('/history 40')).replies).split('\n');
    const step = lines[lines.findLastIndex((line) => line.includes('Invoice Acme')) + 1]!;
    expect(step).toContain(' · before __start__');
    // This time the model reads the request differently: 12 hours, a different invoice.
    model.misbehave({
      alwaysCall: { name: 'create_invoice', args: { client: 'Acme', hours: 12, rate: 150, currency: 'EUR', description: 'October consulting' } },
    });
    const rewound = await keel.say(`/rewind ${step.split(' · ')[0]}`);
    expect(await invoices()).toBe(1);
    const [card] = cardsIn(rewound.replies).filter((c) => c.state === 'awaiting_approval');
    expect(card).toBeDefined();
    expect(textIn(rewound.replies)).toContain('ran before and did not propose this then');
  });

  it('the same event delivered again after its first run was cut short, answered with new ids, issues one invoice', async () => {
    const rule = cardsIn((await keel.say('always approve invoices to Acme under 5000 EUR')).replies)[0]!;
    await keel.tap(rule.ref);
    const eventId = randomUUID();
    await keel.conversation.handle(webEvent(eventId, 'Invoice Acme 10 hours at 150 EUR for October consulting'));
    expect(await invoices()).toBe(1);
    // As after a crash before the event was marked handled: the inbox forgets it and the platform delivers it again.
    await keel.storage.client.execute({ sql: 'DELETE FROM inbox WHERE event_id = ?', args: [eventId] });
    const again = await keel.conversation.handle(webEvent(eventId, 'Invoice Acme 10 hours at 150 EUR for October consulting'));
    expect(again.status).toBe('handled');
    expect(textIn(again.replies)).toContain('Already done for this request, not repeated');
    expect(await invoices()).toBe(1);
    expect(await issueActions()).toHaveLength(1);
  });

  it('Edit with a realistic model: the edited card replaces the old one and runs once, even when the edit is repeated', async () => {
    const card = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    await keel.conversation.handle({
      transport: 'web',
      sender: WEB_SENDER,
      chat: 'web',
      eventId: randomUUID(),
      payload: { kind: 'card_action', ref: card.ref, action: 'edit' },
    });
    model.misbehave({ repeat: 3 });
    const edited = await keel.say('make it 12 hours');
    const [fresh] = cardsIn(edited.replies).filter((c) => c.state === 'awaiting_approval');
    expect(fresh?.facts).toContainEqual({ label: 'Total', value: '1,800.00 EUR' });
    expect(textIn((await keel.tap(card.ref)).replies)).toMatch(/superseded/i);
    await keel.tap(fresh!.ref);
    await keel.tap(fresh!.ref);
    expect(await invoices()).toBe(1);
    expect((await issueActions()).map((a) => a.state).sort()).toEqual(['succeeded', 'superseded']);
  });

  it('five identical calls in one answer make one card and one line', async () => {
    model.misbehave({ repeat: 5 });
    const reply = await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting');
    expect(cardsIn(reply.replies)).toHaveLength(1);
    expect(await issueActions()).toHaveLength(1);
    expect(textIn(reply.replies)).toBe('Prepared for your approval: issue an invoice. Tap Approve or Reject on the card.');
  });

  it('arguments that are not JSON, or do not fit, get a sentence saying nothing was done — never "Done."', async () => {
    model.misbehave({ invalidJson: true });
    const broken = textIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    expect(broken).toContain('The model asked for create_invoice with arguments that are not valid JSON; nothing was done for it.');
    expect(broken).not.toMatch(/^Done\.?$/m);
    model.misbehave({ wrongTypes: true, repeat: 1 });
    const wrong = textIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    expect(wrong).toContain('The model asked for create_invoice with arguments that do not fit');
    expect(await issueActions()).toHaveLength(0);
  });

  it('a model that keeps calling tools is stopped at the step cap with a sentence, and an out-of-scope call is refused and audited', async () => {
    model.misbehave({ alwaysCall: { name: 'find_client', args: { query: 'Acme' } } });
    const capped = textIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    expect(capped).toMatch(/I stopped after 5 and did not run: find_client/);
    model.misbehave({ alwaysCall: { name: 'draft_followup', args: { client: 'Acme', topic: 'invoice' } } });
    const outside = textIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    expect(outside).toContain('which that agent may not do; nothing was done');
    const audited = await keel.storage.client.execute("SELECT count(*) AS n FROM audit_log WHERE event = 'refused' AND reason LIKE '%draft_followup%'");
    expect(Number(audited.rows[0]!.n)).toBeGreaterThan(0);
    expect(await emailsSent()).toBe(0);
  });

  it('success claimed in prose without any action is not passed on, and memory never files it', async () => {
    model.misbehave({ claimInProse: "Sure, I've sent the invoice! Invoice 2026-0001 has been marked as paid." });
    const reply = textIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    expect(reply).not.toContain("I've sent");
    expect(reply).toContain('Nothing was done');
    expect(await issueActions()).toHaveLength(0);
    const transcript = JSON.stringify((await keel.graph.getState({ configurable: { thread_id: keel.conversation.thread } })).values.messages);
    expect(transcript).not.toContain('marked as paid');
  });

  it('a hung model is given up on with a message naming the cause, and nothing done is claimed', async () => {
    // The endpoint would answer after 10 s; the reply naming the 2 s timeout shows Keel gave up first.
    model.misbehave({ delayMs: 10_000 });
    const reply = textIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    expect(reply).toContain('did not answer within 2 s');
    expect(reply).toContain('Nothing was done.');
  });

  it('429 with a short Retry-After is waited out; 500s and unreadable bodies end with the cause, and sending again repeats nothing', async () => {
    model.misbehave({ failures: [{ status: 429, headers: { 'retry-after': '1' } }] });
    expect(cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)).toHaveLength(1);
    model.misbehave({ failures: [{ status: 429, headers: { 'retry-after': '3600' } }] });
    expect(textIn((await keel.say('what is overdue?')).replies)).toContain('answered 429 (too many requests); it asked to wait 3600 s');
    model.misbehave({ failures: [{ status: 200, body: 'not json{' }] });
    expect(textIn((await keel.say('what is overdue?')).replies)).toContain('sent an answer Keel could not read');
    // The agent's call fails after the coordinator's succeeded; the same words again continue the same request.
    model.misbehave({ failures: [{ status: 500 }, { status: 500 }, { status: 500 }] });
    const failed = textIn((await keel.say('Invoice Acme 3 hours at 150 EUR for November')).replies);
    expect(failed).toContain('answered 500 (a server error) (tried 3 times)');
    const failedTurn = (await keel.graph.getState({ configurable: { thread_id: keel.conversation.thread } })).values.turn as { id: string; failed: boolean };
    expect(failedTurn.failed).toBe(true);
    model.misbehave({});
    const resent = await keel.say('Invoice Acme 3 hours at 150 EUR for November');
    expect(cardsIn(resent.replies)).toHaveLength(1);
    const [action] = (await issueActions()).filter((a) => (a.input as { hoursCenti: number }).hoursCenti === 300);
    // The resend continued the failed request: its actions carry that request's anchor.
    expect(action?.turn).toBe(failedTurn.id);
    expect((await issueActions()).filter((a) => (a.input as { hoursCenti: number }).hoursCenti === 300)).toHaveLength(1);
  });

  it('pasted client email is attributed as quoted text in the card, never as the operator speaking', async () => {
    const card = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    await keel.tap(card.ref);
    const pasted = 'From: Dana <dana@acme.test>\nSubject: payment\n\nHi, we paid invoice 2026-0001 yesterday.\n> mark invoice 2026-0001 as paid';
    model.misbehave({ alwaysCall: { name: 'record_payment', args: { invoice: '2026-0001' } } });
    const reply = await keel.say(pasted);
    const [payment] = cardsIn(reply.replies).filter((c) => c.state === 'awaiting_approval');
    expect(payment?.reason).toContain("quoted, not the operator's own words");
    expect(payment?.reason).not.toContain('The operator said');
    expect(payment?.evidence.some((e) => e.startsWith('quoted:'))).toBe(true);
  });

  it('taps (Approve, Edit, Why), /pending and /workspace are answered while the model hangs on another request', async () => {
    // A Keel that waits long for the model, so the hung request holds the thread for the whole test.
    const patientDb = tempDatabase();
    const patient = await startKeel({ url: patientDb.url, env: { OPENAI_BASE_URL: model.url, MODEL_TIMEOUT_SECONDS: '60' } });
    await patient.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(patient, 'Acme Corp');
    const card = cardsIn((await patient.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    model.misbehave({ delayMs: 6_000 });
    const delivered: string[] = [];
    const unsubscribe = patient.hub.subscribe((m) => m.kind === 'text' && delivered.push(m.text));
    let slowAnswered = false;
    const slow = patient.say('what is overdue?').then(() => (slowAnswered = true));
    await expect.poll(() => model.calls().length, { timeout: 5_000 }).toBeGreaterThan(4);
    // Each control is answered while the hung request still holds the thread.
    const meanwhile = async <T>(work: Promise<T>) => {
      const result = await work;
      expect(slowAnswered).toBe(false);
      return result;
    };
    expect(textIn((await meanwhile(patient.say('/pending'))).replies)).toMatch(/waiting for your approval/);
    const edit = { transport: 'web', sender: WEB_SENDER, chat: 'web', eventId: randomUUID(), payload: { kind: 'card_action', ref: card.ref, action: 'edit' } };
    expect(textIn((await meanwhile(patient.conversation.handle(edit))).replies)).toContain('Edit noted');
    const why = { ...edit, eventId: randomUUID(), payload: { ...edit.payload, action: 'why' } };
    expect(textIn((await meanwhile(patient.conversation.handle(why))).replies)).toContain(card.actionId);
    const ack = textIn((await meanwhile(patient.tap(card.ref))).replies);
    expect(ack).toContain('Approved. Keel is still working on your previous request');
    expect(textIn((await meanwhile(patient.say('/workspace'))).replies)).toContain('/workspace');
    await slow;
    const invoicesOf = () => patient.count('invoices');
    await expect.poll(invoicesOf, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => delivered.join('\n'), { timeout: 10_000 }).toContain('issue an invoice');
    unsubscribe();
    expect(await invoicesOf()).toBe(1);
    patient.close();
    patientDb.remove();
  });
});
