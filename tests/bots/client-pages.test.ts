import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { ManualClock } from '../../src/core/clock.js';
import type { Outbound } from '../../src/graph/index.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, withBillingAddress, type TestKeel } from '../support/keel.js';
import { startStripeFake } from '../connectors/stripe-fake.js';

const SECRET = 'whsec_keeltestsecret';
const DAY = 86_400_000;
const linkPath = (text: string) => /\/c\/[A-Za-z0-9_-]{43}/.exec(text)?.[0];
const formToken = (html: string) => /name="form" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Keel with Acme Corp and Beta GmbH as clients, a Stripe fake behind it, and every message it pushes to the operator's web chat. */
function clientPagesKeel(env: Record<string, string> = {}) {
  const ctx = {} as { keel: TestKeel; clock: ManualClock; pushed: Outbound[]; stripe: Awaited<ReturnType<typeof startStripeFake>> };
  let db: ReturnType<typeof tempDatabase>;
  beforeEach(async () => {
    db = tempDatabase();
    ctx.stripe = await startStripeFake();
    // Tuesday 1 December 2026, 08:00 UTC: 09:00 in Berlin.
    ctx.clock = new ManualClock('2026-12-01T08:00:00Z');
    ctx.keel = await startKeel({
      url: db.url,
      clock: ctx.clock,
      env: {
        TZ: 'Europe/Berlin',
        STRIPE_API_KEY: ctx.stripe.apiKey,
        STRIPE_API_BASE: ctx.stripe.apiBase,
        STRIPE_WEBHOOK_SECRET: SECRET,
        PROPOSAL_TERMS: 'Half on signature, half on delivery.',
        ...env,
      },
    });
    await ctx.keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await ctx.keel.say('Add Beta GmbH as a client, contact tom@beta.test');
    await withBillingAddress(ctx.keel, 'Acme Corp');
    await withBillingAddress(ctx.keel, 'Beta GmbH');
    ctx.pushed = [];
    ctx.keel.hub.subscribe((message) => ctx.pushed.push(message));
  });
  afterEach(async () => {
    ctx.keel.close();
    await ctx.stripe.close();
    db.remove();
  });
  return ctx;
}

const pushedText = (pushed: Outbound[]) => pushed.flatMap((m) => (m.kind === 'text' ? [m.text] : []));

async function clientId(keel: TestKeel, name: string) {
  const rows = await keel.storage.client.execute({ sql: 'SELECT id FROM clients WHERE name = ?', args: [name] });
  return String(rows.rows[0]!.id);
}

/** Drafts a proposal for the client and sends it (approving its card); returns its id and the link its email carries. */
async function sendProposal(keel: TestKeel, client: string, title: string, price: Record<string, unknown> = { hoursCenti: 4000, rateMinor: 15000 }) {
  const drafted = await keel.kernel.execute({
    operation: 'records.draft_proposal',
    input: {
      clientId: await clientId(keel, client),
      title,
      scope: 'Discovery, design and build of the new site.',
      ...price,
      currency: 'EUR',
    },
    idempotencyKey: `test:draft:${title}`,
    agent: 'operator',
    reason: 'test',
  });
  const proposalId = (drafted.result as { proposalId: string }).proposalId;
  const sending = await keel.kernel.execute({
    operation: 'proposals.send',
    input: { proposalId },
    idempotencyKey: `test:send:${title}`,
    agent: 'operator',
    reason: 'test',
  });
  expect(sending.state).toBe('awaiting_approval');
  await keel.kernel.decide({ ref: sending.cardRef!, decision: 'approve', by: 'web:operator' });
  expect((await keel.kernel.execute(sending.id)).state).toBe('succeeded');
  const mail = await keel.storage.client.execute({ sql: 'SELECT body FROM outbox_emails WHERE idempotency_key = ?', args: [`proposal:${proposalId}:email`] });
  const path = linkPath(String(mail.rows[0]!.body));
  expect(path).toBeTruthy();
  return { proposalId, path: path! };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', host: '127.0.0.1:3000' },
  body: new URLSearchParams(fields).toString(),
});

describe('client pages: the proposal page', () => {
  const ctx = clientPagesKeel();

  it('shows scope, price, validity and terms, not framable, with Accept and Decline', async () => {
    const { path } = await sendProposal(ctx.keel, 'Acme Corp', 'Website redesign');
    const res = await ctx.keel.http.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const page = await res.text();
    expect(page).toContain('Website redesign');
    expect(page).toContain('Discovery, design and build');
    expect(page).toContain('6,000.00');
    expect(page).toContain('Half on signature');
    expect(page).toContain('valid until 31 December 2026');
    expect(page).toMatch(/value="accept"/);
    // Only this client's document: nothing of the other client, nothing of the operator's chat.
    expect(page).not.toContain('Beta');
  });

  it('records one acceptance for a double click and two tabs, tells the operator once, and cannot be changed after', async () => {
    const { proposalId, path } = await sendProposal(ctx.keel, 'Acme Corp', 'Website redesign');
    const token = formToken(await (await ctx.keel.http.request(path)).text());
    const answers = await Promise.all([
      ctx.keel.http.request(`${path}/decide`, form({ form: token, decision: 'accept', note: 'Looking forward!' })),
      ctx.keel.http.request(`${path}/decide`, form({ form: token, decision: 'accept', note: 'Looking forward!' })),
      ctx.keel.http.request(`${path}/decide`, form({ form: token, decision: 'accept' })),
    ]);
    expect(answers.map((a) => a.status)).toEqual([303, 303, 303]);
    const late = await ctx.keel.http.request(`${path}/decide`, form({ form: token, decision: 'decline' }));
    expect(late.status).toBe(303);
    const status = await ctx.keel.storage.client.execute({ sql: 'SELECT status FROM proposals WHERE id = ?', args: [proposalId] });
    expect(status.rows[0]!.status).toBe('accepted');
    const outcomes = (await ctx.keel.kernel.list()).filter((a) => a.operation === 'memory.record_proposal_outcome');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.agent).toBe('client');
    const page = await (await ctx.keel.http.request(path)).text();
    expect(page).toContain('You accepted this proposal');
    expect(page).not.toMatch(/value="accept"/);
    await ctx.keel.http.request(path);
    const notices = pushedText(ctx.pushed).filter((t) => t.includes('accepted your proposal'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('Acme Corp accepted your proposal "Website redesign" (6,000.00');
  });

  it('lets a declined, expired or withdrawn proposal show its state only', async () => {
    const { path } = await sendProposal(ctx.keel, 'Acme Corp', 'Workshop');
    const token = formToken(await (await ctx.keel.http.request(path)).text());
    await ctx.keel.http.request(`${path}/decide`, form({ form: token, decision: 'decline', note: 'Too early for us' }));
    const declined = await (await ctx.keel.http.request(path)).text();
    expect(declined).toContain('You declined this proposal');
    expect(pushedText(ctx.pushed).filter((t) => t.includes('declined your proposal'))).toEqual([expect.stringContaining('Too early for us')]);

    const other = await sendProposal(ctx.keel, 'Beta GmbH', 'Audit');
    ctx.clock.advance(30 * DAY + 60_000);
    const expired = await (await ctx.keel.http.request(other.path)).text();
    expect(expired).toContain('This proposal expired');
    expect(expired).not.toMatch(/value="accept"/);
    const refused = await ctx.keel.http.request(`${other.path}/decide`, form({ form: formToken(expired) || 'x', decision: 'accept' }));
    expect([303, 403]).toContain(refused.status);
    expect((await ctx.keel.kernel.list()).filter((a) => a.operation === 'memory.record_proposal_outcome')).toHaveLength(1);
  });

  it('lists day rates and fixed prices as lines, not as hours × rate', async () => {
    const lines = [
      { description: 'Workshop', quantityMilli: 2000, unit: 'day', unitPriceMinor: 150000 },
      { description: 'Report', quantityMilli: 1000, unit: 'fixed', unitPriceMinor: 80000 },
    ];
    const { path } = await sendProposal(ctx.keel, 'Acme Corp', 'Strategy workshop', { lines });
    const page = await (await ctx.keel.http.request(path)).text();
    expect(page).toContain('2 days × 1,500.00 EUR/day');
    expect(page).toContain('3,000.00 EUR');
    expect(page).toContain('fixed price');
    expect(page).toContain('3,800.00 EUR');
    expect(page).not.toContain('Effort');
    const mail = await ctx.keel.storage.client.execute("SELECT body FROM outbox_emails WHERE subject = 'Proposal: Strategy workshop'");
    expect(String(mail.rows[0]!.body)).toContain('Workshop: 2 days at 1,500.00 EUR/day = 3,000.00 EUR, Report: fixed price 800.00 EUR, total 3,800.00 EUR');
  });

  it('is sent from chat: "send the proposal to Beta" waits on a card, then emails the link', async () => {
    await ctx.keel.say('Draft a proposal for Beta: 2-day workshop, 16 hours at 150 EUR');
    const { replies } = await ctx.keel.say('Send the proposal to Beta');
    const [card] = cardsIn(replies);
    expect(textIn(replies)).toContain('Prepared for your approval: send a proposal to the client');
    const done = textIn((await ctx.keel.tap(card!.ref)).replies);
    expect(done).toContain('Done — send a proposal to the client');
    const mail = await ctx.keel.storage.client.execute("SELECT body FROM outbox_emails WHERE subject LIKE 'Proposal:%'");
    const path = linkPath(String(mail.rows[0]!.body))!;
    const page = await (await ctx.keel.http.request(path)).text();
    expect(page).toContain('2-day workshop');
    expect(page).toContain('2,400.00');
  });

  it('shows nothing for a forged, expired, revoked or swapped link, and writes nothing', async () => {
    const { path } = await sendProposal(ctx.keel, 'Acme Corp', 'Website redesign');
    const beta = await sendProposal(ctx.keel, 'Beta GmbH', 'Audit');
    const actions = (await ctx.keel.kernel.list()).length;
    const forged = `/c/${'A'.repeat(43)}`;
    for (const bad of [forged, `${path.slice(0, -1)}x`, '/c/short', `${forged}/decide`]) {
      const res = await ctx.keel.http.request(bad);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('Acme');
    }
    expect((await ctx.keel.http.request(`${forged}/decide`, form({ form: 'x', decision: 'accept' }))).status).toBe(404);
    // Beta's form token on Acme's page: refused, nothing recorded.
    const betaToken = formToken(await (await ctx.keel.http.request(beta.path)).text());
    expect((await ctx.keel.http.request(`${path}/decide`, form({ form: betaToken, decision: 'accept' }))).status).toBe(403);
    // A proposal link is not an invoice's PDF, nor a booking form.
    expect((await ctx.keel.http.request(`${path}/pdf`)).status).toBe(404);
    expect((await ctx.keel.http.request(`${path}/book`, form({ form: betaToken, start: '2026-12-02T09:00:00.000Z' }))).status).toBe(404);
    // Another site posting with the right token is refused too.
    const token = formToken(await (await ctx.keel.http.request(path)).text());
    const crossSite = form({ form: token, decision: 'accept' });
    expect((await ctx.keel.http.request(`${path}/decide`, { ...crossSite, headers: { ...crossSite.headers, 'sec-fetch-site': 'cross-site' } })).status).toBe(
      403,
    );

    const revoked = textIn((await ctx.keel.say("/revoke Beta's proposal link")).replies);
    expect(revoked).toContain('Revoked 1 link');
    expect((await ctx.keel.http.request(beta.path)).status).toBe(404);
    // A new link for the same proposal works; the revoked one stays dead.
    const fresh = linkPath(textIn((await ctx.keel.say('/links proposal Beta')).replies))!;
    expect(fresh).not.toBe(beta.path);
    expect((await ctx.keel.http.request(fresh)).status).toBe(200);
    expect((await ctx.keel.http.request(beta.path)).status).toBe(404);
    expect((await ctx.keel.http.request(path)).status).toBe(200);
    // Past CLIENT_LINK_DAYS (90 by default) the link itself is gone.
    ctx.clock.advance(91 * DAY);
    expect((await ctx.keel.http.request(path)).status).toBe(404);
    expect((await ctx.keel.kernel.list()).length).toBe(actions);
  });
});

describe('client pages: rate limits', () => {
  const ctx = clientPagesKeel();

  it('answers 429 once one address has spent its burst, guessing included, and again after a minute', async () => {
    const { path } = await sendProposal(ctx.keel, 'Acme Corp', 'Website redesign');
    const from = { headers: { 'x-forwarded-for': '203.0.113.7' } };
    const guesses = await Promise.all(Array.from({ length: 60 }, (_, i) => ctx.keel.http.request(`/c/${String(i).padStart(43, 'x')}`, from)));
    expect(guesses.every((r) => r.status === 404)).toBe(true);
    expect((await ctx.keel.http.request(path, from)).status).toBe(429);
    // Another address is not held up by that one.
    expect((await ctx.keel.http.request(path, { headers: { 'x-forwarded-for': '198.51.100.1' } })).status).toBe(200);
    ctx.clock.advance(60_000);
    expect((await ctx.keel.http.request(path, from)).status).toBe(200);
  });
});

describe('client pages: links in the workspace', () => {
  const ctx = clientPagesKeel();

  it('lists open links and revokes one: its page then shows nothing', async () => {
    const { path } = await sendProposal(ctx.keel, 'Beta GmbH', 'Audit');
    const local = 'http://127.0.0.1:3000';
    const operator = { host: '127.0.0.1:3000' };
    const listing = await (await ctx.keel.http.request(`${local}/workspace/links`, { headers: operator })).text();
    expect(listing).toContain('Beta GmbH');
    const linkId = /data-link="([^"]+)"/.exec(listing)![1]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(listing)![1]!;
    const revoke = await ctx.keel.http.request(`${local}/workspace/links/${linkId}/revoke`, {
      method: 'POST',
      headers: { ...operator, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, event: crypto.randomUUID() }).toString(),
    });
    expect(revoke.status).toBe(303);
    expect((await ctx.keel.http.request(path)).status).toBe(404);
    expect(await (await ctx.keel.http.request(`${local}/workspace/links`, { headers: operator })).text()).not.toContain(linkId);
  });
});

describe('client pages: the invoice page and the Stripe webhook', () => {
  const ctx = clientPagesKeel();

  async function issue(what: string) {
    const { replies } = await ctx.keel.say(`Invoice Acme 10 hours at 150 EUR for ${what}`);
    const [card] = cardsIn(replies);
    await ctx.keel.tap(card!.ref);
    const mail = await ctx.keel.storage.client.execute(
      "SELECT body FROM outbox_emails WHERE subject LIKE 'Invoice %' ORDER BY sent_at DESC, rowid DESC LIMIT 1",
    );
    return linkPath(String(mail.rows[0]!.body))!;
  }

  const signed = async (event: object) => {
    const payload = JSON.stringify(event);
    const header = await Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: SECRET, cryptoProvider: Stripe.createSubtleCryptoProvider() });
    return { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: payload };
  };
  const paidEvent = (id: string, paymentLink: string) => ({
    id,
    object: 'event',
    type: 'checkout.session.completed',
    api_version: '2025-01-27',
    created: 1_790_000_000,
    data: {
      object: {
        id: `cs_${id}`,
        object: 'checkout.session',
        payment_status: 'paid',
        payment_link: paymentLink,
        amount_total: 150000,
        currency: 'eur',
        metadata: {},
      },
    },
  });

  it('shows the invoice with its PDF and Pay; a signed webhook replayed 100 times records one payment and one notice', async () => {
    const path = await issue('October consulting');
    expect(path).toBeTruthy();
    const page = await (await ctx.keel.http.request(path)).text();
    expect(page).toContain('Invoice 2026-0001');
    expect(page).toContain('October consulting');
    expect(page).toMatch(/href="https:\/\/buy\.stripe\.test\/plink_\d+"/);
    const pdf = await ctx.keel.http.request(`${path}/pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe('%PDF-');

    const linkId = String((await ctx.keel.storage.client.execute('SELECT link_id FROM invoice_payment_links')).rows[0]!.link_id);
    const event = paidEvent('evt_1', linkId);
    const unsigned = await ctx.keel.http.request('/stripe/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(unsigned.status).toBe(400);
    const forged = await signed(event);
    const tampered = await ctx.keel.http.request('/stripe/webhook', { ...forged, body: forged.body.replace('"paid"', '"paid" ') });
    expect(tampered.status).toBe(400);
    expect((await ctx.keel.storage.client.execute('SELECT status FROM invoices')).rows[0]!.status).toBe('sent');

    const request = await signed(event);
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => ctx.keel.http.request('/stripe/webhook', request)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    }
    // Another event for the same payment (Stripe sends async_payment_succeeded too): still one payment.
    expect(
      (await ctx.keel.http.request('/stripe/webhook', await signed({ ...paidEvent('evt_2', linkId), type: 'checkout.session.async_payment_succeeded' })))
        .status,
    ).toBe(200);
    expect((await ctx.keel.storage.client.execute('SELECT status FROM invoices')).rows[0]!.status).toBe('paid');
    expect((await ctx.keel.kernel.list()).filter((a) => a.operation === 'invoices.record_payment')).toHaveLength(1);
    expect(pushedText(ctx.pushed).filter((t) => t.includes('paid invoice 2026-0001'))).toHaveLength(1);
    expect(await (await ctx.keel.http.request(path)).text()).toContain('Paid on');
  });

  it("says so on a voided invoice's page", async () => {
    const path = await issue('November consulting');
    const { replies } = await ctx.keel.say('void invoice 2026-0001');
    await ctx.keel.tap(cardsIn(replies)[0]!.ref);
    const page = await (await ctx.keel.http.request(path)).text();
    expect(page).toContain('This invoice was voided');
    expect(page).not.toContain('buy.stripe.test');
  });
});

describe('client pages: the booking page', () => {
  const ctx = clientPagesKeel();

  async function bookingLink(client: string) {
    const reply = textIn((await ctx.keel.say(`/links booking ${client}`)).replies);
    return linkPath(reply)!;
  }
  const firstSlot = (html: string) => /name="start" value="([^"]+)"/.exec(html)?.[1] ?? '';

  it("shows free times in the client's zone within working hours, around Keel's meetings", async () => {
    await ctx.keel.say('book a call with Dana tomorrow at 10:00');
    const path = await bookingLink('Acme');
    const page = await (await ctx.keel.http.request(`${path}?tz=America/New_York`)).text();
    expect(page).toContain('times shown in America/New_York');
    // 09:00 Berlin is now, so the first free start is 09:45 Berlin: 03:45 in New York.
    expect(firstSlot(page)).toBe('2026-12-01T08:45:00.000Z');
    expect(page).toContain('>03:45<');
    expect(page).not.toContain('Beta');
  });

  it('gives two clients racing for one slot one booking and one "that time was just taken", and a double submit one booking', async () => {
    const acme = await bookingLink('Acme');
    const beta = await bookingLink('Beta');
    const acmePage = await (await ctx.keel.http.request(acme)).text();
    const betaPage = await (await ctx.keel.http.request(beta)).text();
    const start = firstSlot(acmePage);
    const [a1, a2, b] = await Promise.all([
      ctx.keel.http.request(`${acme}/book`, form({ form: formToken(acmePage), start, tz: 'Europe/Berlin' })),
      ctx.keel.http.request(`${acme}/book`, form({ form: formToken(acmePage), start, tz: 'Europe/Berlin' })),
      ctx.keel.http.request(`${beta}/book`, form({ form: formToken(betaPage), start, tz: 'Europe/Berlin' })),
    ]);
    const bodies = await Promise.all([a1!, a2!, b!].map((r) => r.text()));
    const booked = bodies.filter((t) => t.includes('is booked for')).length;
    const taken = bodies.filter((t) => t.includes('That time was just taken')).length;
    expect(booked + taken).toBe(3);
    expect(await ctx.keel.count("meetings WHERE status = 'booked'")).toBe(1);
    expect(pushedText(ctx.pushed).filter((t) => t.includes('booked a call'))).toHaveLength(1);
    // The slot is gone from both pages now.
    expect(firstSlot(await (await ctx.keel.http.request(beta)).text())).not.toBe(start);
  });

  it('can be paused from chat: no times, and a booking is refused', async () => {
    const path = await bookingLink('Acme');
    const before = await (await ctx.keel.http.request(path)).text();
    await ctx.keel.say('/links pause Acme');
    const paused = await (await ctx.keel.http.request(path)).text();
    expect(paused).toContain('Booking is paused');
    const res = await ctx.keel.http.request(`${path}/book`, form({ form: formToken(before), start: firstSlot(before), tz: 'Europe/Berlin' }));
    expect(res.status).toBe(409);
    expect(await ctx.keel.count('meetings')).toBe(0);
    await ctx.keel.say('/links resume Acme');
    expect(firstSlot(await (await ctx.keel.http.request(path)).text())).toBeTruthy();
  });
});

describe('client pages: bookings that need approval', () => {
  const ctx = clientPagesKeel({ BOOKING_NEEDS_APPROVAL: 'true' });
  const firstSlot = (html: string) => /name="start" value="([^"]+)"/.exec(html)?.[1] ?? '';

  it('holds the time on a card; approving it books the meeting and sends the invitation, once', async () => {
    const acme = linkPath(textIn((await ctx.keel.say('/links booking Acme')).replies))!;
    const beta = linkPath(textIn((await ctx.keel.say('/links booking Beta')).replies))!;
    const page = await (await ctx.keel.http.request(acme)).text();
    const start = firstSlot(page);
    const requests = await Promise.all([1, 2].map(() => ctx.keel.http.request(`${acme}/book`, form({ form: formToken(page), start, tz: 'Europe/Berlin' }))));
    for (const res of requests) expect(await res.text()).toContain('the time is held for you');
    expect(await ctx.keel.count('meetings')).toBe(0);
    // Held: Beta is not offered that time meanwhile.
    expect(firstSlot(await (await ctx.keel.http.request(beta)).text())).not.toBe(start);
    const cards = ctx.pushed.flatMap((m) => (m.kind === 'card' ? [m.card] : []));
    expect(cards).toHaveLength(1);
    expect(pushedText(ctx.pushed).filter((t) => t.includes('asks for a call'))).toHaveLength(1);
    await ctx.keel.tap(cards[0]!.ref);
    expect(await ctx.keel.count("meetings WHERE status = 'booked'")).toBe(1);
    expect(await ctx.keel.count("outbox_emails WHERE subject LIKE 'Invitation:%' AND \"to\" = 'dana@acme.test'")).toBe(1);
  });
});
