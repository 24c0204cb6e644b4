import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, type TestKeel, withBillingAddress } from '../support/keel.js';

/**
 * Nothing twice under pressure: many copies of one event, and many taps on one
 * card from several apps at once, each end in exactly one effect.
 */
describe('delivery storms and double taps', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;

  beforeEach(async () => {
    db = tempDatabase();
    keel = await startKeel({
      url: db.url,
      env: {
        TELEGRAM_BOT_TOKEN: '1:unused',
        TELEGRAM_OPERATOR_IDS: '4242',
        SLACK_BOT_TOKEN: 'xoxb-unused',
        SLACK_SIGNING_SECRET: 'unused-secret',
        SLACK_OPERATOR_IDS: 'U0OPERATOR',
      },
    });
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
  });
  afterEach(() => {
    keel.close();
    db.remove();
  });

  it('handles the same event delivered 1,000 times at once exactly once', async () => {
    const event = {
      transport: 'telegram',
      sender: 'telegram:4242',
      chat: '4242',
      eventId: 'update:777',
      payload: { kind: 'text', text: 'Invoice Acme 10 hours at 150 EUR for October consulting' },
    };
    const results = await Promise.all(Array.from({ length: 1000 }, () => keel.conversation.handle(event)));
    expect(results.filter((r) => r.status === 'handled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(999);
    expect(await keel.count("actions WHERE operation = 'invoices.issue'")).toBe(1);
  });

  it('turns 100 concurrent Approve taps from the web, Telegram and Slack into one decision and one invoice', async () => {
    const [card] = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    const senders = [
      { transport: 'web', sender: 'web:operator', chat: 'web' },
      { transport: 'telegram', sender: 'telegram:4242', chat: '4242' },
      { transport: 'slack', sender: 'slack:U0OPERATOR', chat: 'D0OPERATOR' },
    ];
    const taps = Array.from({ length: 100 }, (_, i) => ({
      ...senders[i % senders.length]!,
      eventId: `tap-${i}`,
      payload: { kind: 'decision', ref: card!.ref, decision: 'approve' },
    }));
    const results = await Promise.all(taps.map((tap) => keel.conversation.handle(tap)));
    const texts = results.flatMap((r) => r.replies.flatMap((m) => (m.kind === 'text' ? [m.text] : [])));
    expect(texts.filter((t) => t.includes('Done — issue an invoice'))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith('Already approved by'))).toHaveLength(99);
    expect(await keel.count('invoices')).toBe(1);
    expect(await keel.count("audit_log WHERE event = 'approved'")).toBe(1);
  });

  it('refuses 100 taps from strangers without a decision, and audits each', async () => {
    const [card] = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        keel.conversation.handle({
          transport: 'telegram',
          sender: `telegram:${9000 + i}`,
          chat: String(9000 + i),
          eventId: `evil-${i}`,
          payload: { kind: 'decision', ref: card!.ref, decision: 'approve' },
        }),
      ),
    );
    expect(results.every((r) => r.status === 'refused')).toBe(true);
    expect((await keel.kernel.byRef(card!.ref))?.state).toBe('awaiting_approval');
    expect(await keel.count("audit_log WHERE event = 'unauthorized'")).toBe(100);
    expect(await keel.count('invoices')).toBe(0);
  });
});
