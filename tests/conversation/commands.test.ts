import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, type TestKeel, withBillingAddress } from '../support/keel.js';

describe('chat commands', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;

  beforeEach(async () => {
    db = tempDatabase();
    keel = await startKeel({ url: db.url });
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
  });
  afterEach(() => {
    keel.close();
    db.remove();
  });

  const invoice = async () => cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;

  it('/pending shows open cards with working buttons', async () => {
    expect(textIn((await keel.say('/pending')).replies)).toBe('Nothing waits for your approval.');
    const card = await invoice();
    const pending = await keel.say('/pending');
    expect(cardsIn(pending.replies).map((c) => c.ref)).toEqual([card.ref]);
    await keel.tap(cardsIn(pending.replies)[0]!.ref);
    expect(await keel.count('invoices')).toBe(1);
  });

  it('/why shows the reasons and evidence of an action', async () => {
    const card = await invoice();
    const why = textIn((await keel.say(`/why ${card.actionId}`)).replies);
    expect(why).toContain('finance agent');
    expect(why).toContain('invoice Acme Corp for 10 h');
    expect(why).toMatch(/Evidence: msg:web:.*cli_/);
    expect(textIn((await keel.say('/why')).replies)).toMatch(/Which action\?/);
  });

  it('/undo voids an issued invoice after its own approval, and never deletes it', async () => {
    const card = await invoice();
    await keel.tap(card.ref);
    const undo = await keel.say(`/undo ${card.actionId}`);
    const [voidCard] = cardsIn(undo.replies);
    expect(voidCard?.title).toMatch(/void an invoice/i);
    await keel.tap(voidCard!.ref);
    const rows = await keel.storage.client.execute('SELECT status FROM invoices');
    expect(rows.rows.map((r) => r.status)).toEqual(['void']);
    expect((await keel.kernel.get(card.actionId))?.state).toBe('compensated');
  });

  it('/undo refuses what cannot be undone, and says why', async () => {
    const followUp = cardsIn((await keel.say('draft a follow-up to Dana')).replies)[0]!;
    await keel.tap(followUp.ref);
    expect(textIn((await keel.say(`/undo ${followUp.actionId}`)).replies)).toMatch(/cannot undo that/);
  });

  it('/status is read as the request "status"', async () => {
    expect(textIn((await keel.say('/status')).replies)).toMatch(/Nothing overdue\.\nNothing waits for approval\./);
  });

  it('/help lists what Keel can do; unknown commands go to the model', async () => {
    expect(textIn((await keel.say('/help')).replies)).toMatch(/Here is what I can do/);
    expect(textIn((await keel.say('/frobnicate')).replies)).toMatch(/did not understand "frobnicate"[\s\S]*\/help lists everything/);
  });
});
