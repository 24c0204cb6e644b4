import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { cardsIn, keelWithAcme, textIn, type TestKeel } from '../support/keel.js';

const DAY = 86_400_000;

/** Standing-rule limits, evaluated by the kernel: a count per 24 hours (also under racing proposals), an expiry, a client. */
describe('standing rule limits', () => {
  let keel: TestKeel;
  const clock = new ManualClock('2026-11-25T10:00:00Z');
  keelWithAcme((k) => (keel = k), { per: 'test', clock });

  beforeEach(async () => {
    const [rule] = cardsIn((await keel.say('always approve invoices to Acme under 500 EUR, at most 2 a day, for 7 days')).replies);
    expect(rule?.facts).toEqual(
      expect.arrayContaining([
        { label: 'Client', value: 'Acme Corp' },
        { label: 'Limit', value: '2 a day' },
      ]),
    );
    await keel.tap(rule!.ref);
  });

  const auto = async (text: string) => cardsIn((await keel.say(text)).replies).length === 0;

  it('approves at most N a day and nothing after its expiry', async () => {
    expect(await auto('Invoice Acme 1 hour at 100 EUR for a')).toBe(true);
    expect(await auto('Invoice Acme 1 hour at 100 EUR for b')).toBe(true);
    expect(await auto('Invoice Acme 1 hour at 100 EUR for c')).toBe(false);
    clock.advance(DAY + 60_000);
    expect(await auto('Invoice Acme 1 hour at 100 EUR for d')).toBe(true);
    clock.advance(7 * DAY);
    expect(await auto('Invoice Acme 1 hour at 100 EUR for e')).toBe(false);
    expect(textIn((await keel.say('/rules')).replies)).toMatch(/fired 3×/);
  });

  it('holds the daily count when proposals race', async () => {
    const [client] = (await keel.storage.client.execute('SELECT id FROM clients')).rows;
    const propose = (n: number) =>
      keel.kernel.propose({
        operation: 'invoices.issue',
        input: { clientId: String(client!.id), description: `race ${n}`, hoursCenti: 100, rateMinor: 10000, currency: 'EUR' },
        idempotencyKey: `race:${n}`,
        agent: 'finance',
        reason: 'a racing proposal',
      });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map(propose));
    expect(results.filter((a) => a.state === 'approved')).toHaveLength(2);
    expect(results.filter((a) => a.state === 'awaiting_approval')).toHaveLength(4);
  });
});
