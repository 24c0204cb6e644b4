import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ManualClock } from '../../src/core/clock.js';
import { proposals } from '../../src/records/index.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, type TestKeel, withBillingAddress } from '../support/keel.js';

const DAY = 86_400_000;

describe('six months later, a new proposal builds on past work', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;
  const clock = new ManualClock('2026-01-05T09:00:00Z');

  beforeEach(async () => {
    db = tempDatabase();
    keel = await startKeel({ url: db.url, clock });
  });
  afterEach(() => {
    keel.close();
    db.remove();
  });

  it('cites Acme’s accepted proposal and price when drafting for Beta, without the operator retyping them', async () => {
    // Month 1, all in chat: client, proposal, acceptance, invoice, payment.
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    expect(textIn((await keel.say('draft a proposal for Acme: 5-day workshop, 40 hours at 150 EUR')).replies)).toMatch(
      /Drafted proposal "5-day workshop" for Acme Corp: 40 h at 150.00 EUR\/h/,
    );
    const [acmeProposal] = await keel.storage.db.select().from(proposals);
    clock.advance(7 * DAY);
    // The outcome is told in chat, as the operator would, and recorded through the kernel.
    expect(textIn((await keel.say('Acme accepted the proposal')).replies)).toBe(
      `Recorded: Acme Corp accepted "5-day workshop" (40 h at 150.00 EUR/h) [${acmeProposal!.id}].`,
    );
    const [accepted] = (await keel.kernel.list({ states: ['succeeded'] })).filter((a) => a.operation === 'memory.record_proposal_outcome');
    expect(accepted).toMatchObject({ agent: 'sales', input: { proposalId: acmeProposal!.id, outcome: 'accepted' } });
    expect(accepted!.evidence).toContain(acmeProposal!.id);
    // No rate retyped: the invoice takes it from the accepted proposal, and says so.
    const card = cardsIn((await keel.say('Invoice Acme 40 hours for the workshop')).replies)[0]!;
    expect(card.reason).toContain(`rate 150.00 EUR/h from the last proposal to Acme Corp: 40 h at 150.00 EUR/h, accepted 2026-01-12 [${acmeProposal!.id}]`);
    await keel.tap(card.ref);
    const paid = await keel.say('mark invoice 2026-0001 as paid');
    for (const open of cardsIn(paid.replies)) await keel.tap(open.ref);
    expect(await keel.count("invoices WHERE number = '2026-0001' AND status = 'paid' AND rate_minor = 15000")).toBe(1);

    // Month 7: a new prospect wants the same again.
    clock.advance(180 * DAY);
    await keel.say('Add Beta GmbH as a client, contact lee@beta.test');
    await withBillingAddress(keel, 'Beta GmbH');
    const reply = textIn((await keel.say('new prospect Beta wants the same kind of workshop as Acme, draft a proposal')).replies);

    expect(reply).toContain(`last proposal to Acme Corp: 40 h at 150.00 EUR/h, accepted 2026-01-12 [${acmeProposal!.id}]`);
    expect(reply).toMatch(/Drafted proposal "Workshop" for Beta GmbH: 40 h at 150.00 EUR\/h, total 6,000.00 EUR/);
    const [beta] = await keel.storage.db.select().from(proposals).where(eq(proposals.title, 'Workshop'));
    expect(beta).toMatchObject({ hoursCenti: 4000, rateMinor: 15000, currency: 'EUR', status: 'draft' });
    const [action] = (await keel.kernel.list({ states: ['succeeded'] })).filter(
      (a) => a.operation === 'records.draft_proposal' && a.input && (a.input as { title: string }).title === 'Workshop',
    );
    expect(action!.evidence).toContain(acmeProposal!.id);
    expect(action!.reason).toContain(`[${acmeProposal!.id}]`);
  });

  it('records a prospect Keel has never heard of on the way, instead of asking to add them first', async () => {
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    await keel.say('draft a proposal for Acme: 5-day workshop, 40 hours at 150 EUR');
    clock.advance(180 * DAY);
    const reply = textIn((await keel.say('new prospect Beta wants the same kind of workshop as Acme, draft a proposal')).replies);
    expect(reply).toMatch(/^Added Beta as a new client\. Drafted proposal "Workshop" for Beta: 40 h at 150.00 EUR\/h/);
    expect(await keel.count("clients WHERE name = 'Beta'")).toBe(1);
  });
});
