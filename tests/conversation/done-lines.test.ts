import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { cardsIn, keelWithAcme, textIn, type TestKeel } from '../support/keel.js';

/**
 * What the operator reads after an effect, through the web chat's entrance: where an email went (from the
 * mailer's record), whose invoice a payment or void card is about, and a clash on a meeting's card.
 */
describe('Done lines and cards say what really happened', () => {
  let keel: TestKeel;
  keelWithAcme((k) => (keel = k), { per: 'suite', clock: new ManualClock('2026-11-24T09:00:00Z') });

  it('an issued invoice says it was only written to the outbox folder when no SMTP is configured, and carries the PDF', async () => {
    const [card] = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    const done = await keel.tap(card!.ref);
    expect(textIn(done.replies)).toContain(
      'Done — issue an invoice: invoice 2026-0001, 1,500.00 EUR — written to the outbox folder for dana@acme.test (no SMTP configured, so it was not emailed).',
    );
    expect(done.replies.filter((r) => r.kind === 'file')).toEqual([
      { kind: 'file', file: { id: expect.stringMatching(/^file_/), name: '2026-0001.pdf', contentType: 'application/pdf', caption: 'Invoice 2026-0001' } },
    ]);
  });

  it('a void card names the client, the number and the amount; its Done carries the credit note', async () => {
    const [card] = cardsIn((await keel.say('void invoice 2026-0001')).replies);
    expect(card!.title).toBe('Void an invoice with a credit note — Acme Corp, 2026-0001, 1,500.00 EUR');
    expect(card!.facts).toEqual(
      expect.arrayContaining([
        { label: 'Client', value: 'Acme Corp <dana@acme.test>' },
        { label: 'Invoice', value: '2026-0001' },
        { label: 'Amount', value: '1,500.00 EUR' },
      ]),
    );
    const done = await keel.tap(card!.ref);
    expect(textIn(done.replies)).toMatch(
      /Done — void an invoice with a credit note: invoice 2026-0001, 1,500\.00 EUR \(credit note \S+\) — written to the outbox folder/,
    );
    expect(done.replies.filter((r) => r.kind === 'file').map((r) => r.kind === 'file' && r.file.caption)).toEqual([
      expect.stringMatching(/^Credit note \S+ for invoice 2026-0001$/),
    ]);
  });

  it('a meeting that overlaps a booked one is flagged with ⚠ on its card; one that does not is not', async () => {
    const [first] = cardsIn((await keel.say('book a call with Dana on 2026-11-26 14:30')).replies);
    expect(first!.facts.some((f) => f.label.startsWith('⚠'))).toBe(false);
    await keel.tap(first!.ref);
    const [clash] = cardsIn((await keel.say('book a meeting with Dana on 2026-11-26 14:45')).replies);
    expect(clash!.facts[0]).toEqual({ label: '⚠ Overlap', value: 'It overlaps "Call" with Acme Corp on Thursday, 26 November 2026 at 14:30 (UTC) (30 min).' });
    const [apart] = cardsIn((await keel.say('book a call with Dana on 2026-11-27 10:00')).replies);
    expect(apart!.facts.some((f) => f.label.startsWith('⚠'))).toBe(false);
  });
});
