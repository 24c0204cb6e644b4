import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { cardsIn, keelWithAcme, textIn, type TestKeel } from '../support/keel.js';

describe('a conversation with the offline model', () => {
  let keel: TestKeel;
  const clock = new ManualClock('2026-11-02T09:00:00Z');
  keelWithAcme((k) => (keel = k), { per: 'test', clock });

  const invoiceCard = async () => {
    const result = await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting');
    const [card] = cardsIn(result.replies);
    expect(card).toBeDefined();
    return card!;
  };

  it('adds a client without asking, because nothing leaves Keel', async () => {
    expect(await keel.count('clients')).toBe(1);
    expect(textIn((await keel.say('what do we know about Acme?')).replies)).toContain('dana@acme.test');
  });

  it('shows an approval card for an invoice and issues exactly one on Approve', async () => {
    const card = await invoiceCard();
    expect(card.title).toContain('Acme Corp');
    expect(card.facts).toContainEqual({ label: 'Total', value: '1,500.00 EUR' });
    expect(card.reason).toMatch(/invoice Acme Corp for 10 h/);
    expect(card.evidence.length).toBeGreaterThan(0);
    expect(await keel.count('invoices')).toBe(0);

    const approved = await keel.tap(card.ref);
    expect(textIn(approved.replies)).toContain('invoice 2026-0001, 1,500.00 EUR');
    expect(cardsIn(approved.replies)[0]?.state).toBe('succeeded');
    expect(await keel.count('invoices')).toBe(1);

    const again = await keel.tap(card.ref);
    expect(textIn(again.replies)).toMatch(/Already approved by web:operator/);
    expect(await keel.count('invoices')).toBe(1);

    expect(textIn((await keel.say('show invoices for Acme')).replies)).toContain('2026-0001');
  });

  it('creates nothing on Reject, and a rejected card cannot be approved afterwards', async () => {
    const card = await invoiceCard();
    expect(textIn((await keel.tap(card.ref, 'reject')).replies)).toMatch(/Rejected/);
    expect(textIn((await keel.tap(card.ref, 'approve')).replies)).toMatch(/Already rejected/);
    expect(await keel.count('invoices')).toBe(0);
  });

  it('keeps chatting while a card waits, and the card can still be approved later', async () => {
    const card = await invoiceCard();
    expect(textIn((await keel.say("what's overdue?")).replies)).toBe('No overdue invoices.');
    clock.advance(3 * 3_600_000);
    await keel.tap(card.ref);
    expect(await keel.count('invoices')).toBe(1);
    clock.advance(40 * 86_400_000);
    expect(textIn((await keel.say("what's overdue?")).replies)).toMatch(/2026-0001 Acme Corp: 1,500.00 EUR, sent, \d+ days overdue/);
  });

  it('refuses to approve an expired card', async () => {
    const card = await invoiceCard();
    clock.advance(49 * 3_600_000);
    const late = await keel.tap(card.ref);
    expect(textIn(late.replies)).toMatch(/expired/i);
    expect(await keel.count('invoices')).toBe(0);
  });

  it('approves two cards independently, each once', async () => {
    const first = await invoiceCard();
    const followUp = cardsIn((await keel.say('draft a follow-up to Dana')).replies)[0]!;
    await keel.tap(followUp.ref);
    const followUps = "outbox_emails WHERE subject LIKE 'Following up%'";
    expect(await keel.count(followUps)).toBe(1);
    expect(await keel.count('invoices')).toBe(0);
    await keel.tap(first.ref);
    expect(await keel.count('invoices')).toBe(1);
    expect(await keel.count(followUps)).toBe(1);
  });

  it('asks instead of guessing when a request misses something, and says what it can do', async () => {
    expect(textIn((await keel.say('invoice Acme')).replies)).toMatch(/how many hours/i);
    expect(textIn((await keel.say('flibbertigibbet')).replies)).toBe(
      'I did not understand "flibbertigibbet".\nTry other words, e.g. "invoice Acme 10h at 150 EUR" or "what\'s overdue?"; /help lists everything I can do.',
    );
    expect(textIn((await keel.say('invoice Zeta 3 hours at 100 EUR')).replies)).toMatch(/don't know a client called "Zeta"/);
  });

  it('does nothing twice for a re-delivered event', async () => {
    const event = {
      transport: 'web',
      sender: 'web:operator',
      chat: 'web',
      eventId: 'same-id-1',
      payload: { kind: 'text', text: 'remember that Dana prefers calls' },
    };
    expect((await keel.conversation.handle(event)).status).toBe('handled');
    expect((await keel.conversation.handle(event)).status).toBe('duplicate');
    expect(await keel.count('notes')).toBe(1);
  });

  it('refuses strangers politely and audits it', async () => {
    const result = await keel.conversation.handle({
      transport: 'telegram',
      sender: 'telegram:666',
      chat: '666',
      eventId: 'x1',
      payload: { kind: 'text', text: 'pay invoice 2026-0001' },
    });
    expect(result.status).toBe('refused');
    expect(await keel.count("audit_log WHERE event = 'unauthorized'")).toBe(1);
  });
});
