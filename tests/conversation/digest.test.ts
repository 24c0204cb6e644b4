import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { Outbound } from '../../src/graph/index.js';
import { tempDatabase } from '../support/db.js';
import { sendDigest } from '../../src/jobs/index.js';
import { cardsIn, startKeel, textIn, type TestKeel, withBillingAddress } from '../support/keel.js';

const env = { TZ: 'Europe/Berlin', DIGEST_TIME: '08:00', APPROVAL_TTL_HOURS: '1000' };

describe('the daily digest', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;
  let clock: ManualClock;
  const open: TestKeel[] = [];
  const start = async (at: ManualClock) => {
    const k = await startKeel({ url: db.url, clock: at, env });
    open.push(k);
    return k;
  };
  const received = (k: TestKeel) => {
    const got: Outbound[] = [];
    k.hub.subscribe((m) => got.push(m));
    return got;
  };

  beforeEach(async () => {
    db = tempDatabase();
    clock = new ManualClock('2026-11-24T09:00:00Z');
    keel = await start(clock);
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    const first = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    await keel.tap(first.ref);
    await keel.say('book a call with Dana on 2026-11-26 14:30');
    await keel.say('Invoice Acme 2 hours at 150 EUR for a review');
  });
  afterEach(() => {
    for (const k of open.splice(0)) k.close();
    db.remove();
  });

  it('on /digest shows yesterday, money owed, what is due and the open cards with working buttons', async () => {
    clock.set('2026-12-26T07:30:00Z');
    const digest = await keel.say('/digest');
    const text = textIn(digest.replies);
    expect(text).toMatch(/^Digest for Saturday 26 December/);
    expect(text).toMatch(/Money owed: 1,500.00 EUR overdue\n• 2026-0001 Acme Corp: 1,500.00 EUR/);
    expect(text).toContain('Waiting for your approval: 2');
    const cards = cardsIn(digest.replies);
    expect(cards.map((c) => c.title)).toEqual(['Book "Call" with Acme Corp', 'Issue an invoice to Acme Corp']);
    await keel.tap(cards[1]!.ref);
    expect(await keel.count('invoices')).toBe(2);
  });

  it('lists what was done yesterday by agent and this week’s meetings', async () => {
    const meeting = cardsIn((await keel.say('/pending')).replies).find((c) => c.title.startsWith('Book'))!;
    await keel.tap(meeting.ref);
    clock.set('2026-11-25T07:00:00Z');
    const text = textIn((await keel.say('/digest')).replies);
    expect(text).toMatch(
      /Done yesterday\n• sales: save a client record\n• finance: issue an invoice: invoice 2026-0001, 1,500.00 EUR — written to the outbox folder for dana@acme.test \(no SMTP configured, so it was not emailed\)\n• operations: book a meeting/,
    );
    expect(text).toMatch(/Due this week\n• Thu 26 Nov, 14:30 — Call with Acme Corp/);
  });

  it('is sent once at 08:00 local time by the scheduler, even with two processes on one database', async () => {
    const other = await start(clock);
    const [a, b] = [received(keel), received(other)];
    await Promise.all([keel.scheduler.sync(), other.scheduler.sync()]);
    clock.set('2026-11-25T06:59:00Z');
    await Promise.all([keel.scheduler.tick(), other.scheduler.tick()]);
    expect(await keel.count("operator_notices WHERE kind = 'digest'")).toBe(0);
    clock.set('2026-11-25T07:00:00Z');
    await Promise.all([keel.scheduler.tick(), other.scheduler.tick(), keel.scheduler.tick()]);
    expect(await keel.count("operator_notices WHERE kind = 'digest'")).toBe(1);
    expect([...a, ...b].filter((m) => m.kind === 'text' && m.text.startsWith('Digest for'))).toHaveLength(1);
  });

  it('is one digest per day by the kernel key alone, whoever sends it, and goes only where DIGEST_TO says', async () => {
    const telegramOnly = await startKeel({ url: db.url, clock, env: { ...env, DIGEST_TO: 'telegram' } });
    open.push(telegramOnly);
    const [a, b] = [received(keel), received(telegramOnly)];
    const deps = (k: TestKeel) => ({ db: k.storage.db, kernel: k.kernel, clock, timeZone: env.TZ, digestTime: env.DIGEST_TIME });
    const digests = (got: Outbound[]) => got.filter((m) => m.kind === 'text' && m.text.startsWith('Digest for'));
    await sendDigest(deps(telegramOnly));
    expect(digests(b)).toHaveLength(0);
    await Promise.all([sendDigest(deps(keel)), sendDigest(deps(telegramOnly)), sendDigest(deps(keel))]);
    expect(await keel.count("operator_notices WHERE kind = 'digest'")).toBe(1);
    expect(digests(a)).toHaveLength(0);
  });

  it('is sent once at the next start when the process was down over the digest time', async () => {
    await keel.scheduler.sync();
    keel.close();
    const later = new ManualClock('2026-11-25T10:15:00Z');
    const restarted = await start(later);
    const got = received(restarted);
    await restarted.scheduler.sync();
    await restarted.scheduler.tick();
    await restarted.scheduler.tick();
    expect(got.filter((m) => m.kind === 'text' && m.text.startsWith('Digest for Wednesday 25 November'))).toHaveLength(1);
    later.set('2026-11-25T12:00:00Z');
    await restarted.scheduler.sync();
    await restarted.scheduler.tick();
    expect(await restarted.count("operator_notices WHERE kind = 'digest'")).toBe(1);
    expect(textIn((await restarted.conversation.history()).map((e) => e.message))).toContain('Digest for Wednesday 25 November');
  });

  it('tells the operator once when a card expires, and the card can no longer be approved', async () => {
    const [card] = cardsIn((await keel.say('/pending')).replies);
    const got = received(keel);
    await keel.scheduler.sync();
    clock.advance(1001 * 3_600_000);
    await keel.scheduler.tick();
    clock.advance(10 * 60_000);
    await keel.scheduler.tick();
    expect(got.filter((m) => m.kind === 'text' && m.text.startsWith('Expired'))).toHaveLength(2);
    expect(await keel.count("operator_notices WHERE kind = 'expiry'")).toBe(2);
    expect(textIn((await keel.tap(card!.ref)).replies)).toMatch(/expired/i);
    expect(await keel.count('invoices')).toBe(1);
  });

  it('fires an unanswered follow-up reminder once after its delay, across a restart, and lists it in the next digest', async () => {
    expect(textIn((await keel.say('nudge Dana in 3 days if no reply')).replies)).toMatch(/I will remind you about Dana on Fri 27 Nov/);
    await keel.scheduler.sync();
    clock.advance(2 * 86_400_000);
    await keel.scheduler.tick();
    expect(await keel.count("operator_notices WHERE kind = 'reminder'")).toBe(0);

    keel.close();
    const later = new ManualClock('2026-11-27T09:05:00Z');
    const restarted = await start(later);
    const got = received(restarted);
    await restarted.scheduler.sync();
    await restarted.scheduler.tick();
    later.advance(60_000);
    await restarted.scheduler.tick();
    expect(got.filter((m) => m.kind === 'text' && m.text.startsWith('Reminder: No reply from Dana (Acme Corp)?'))).toHaveLength(1);
    expect(await restarted.count("operator_notices WHERE kind = 'reminder'")).toBe(1);

    later.set('2026-11-28T07:00:00Z');
    expect(textIn((await restarted.say('/digest')).replies)).toMatch(/Follow-ups\n• No reply from Dana \(Acme Corp\)\? .* \(reminded 2026-11-27\)/);
  });

  it('fires reminders set in hours and for a time of day, an errand with no client among them, each once at its moment', async () => {
    // 09:00 UTC is 10:00 in Berlin.
    expect(textIn((await keel.say('remind me in 2 hours to call the bank')).replies)).toBe('I will remind you on Tue 24 Nov, 12:00: Call the bank');
    expect(textIn((await keel.say('remind me tomorrow at 9 to call dana')).replies)).toBe('I will remind you about Dana on Wed 25 Nov, 09:00.');
    expect(textIn((await keel.say('remind me to renew the domain')).replies)).toMatch(/When should I remind you\?/);
    const got = received(keel);
    // The two cards set up above are reminded of too; these are the reminders the operator asked for.
    const reminders = () =>
      got.flatMap((m) => (m.kind === 'text' && m.text.startsWith('Reminder:') && !m.text.includes('this card has waited') ? [m.text] : []));
    await keel.scheduler.sync();
    clock.set('2026-11-24T10:59:00Z');
    await keel.scheduler.tick();
    expect(reminders()).toEqual([]);
    clock.set('2026-11-24T11:00:30Z');
    await keel.scheduler.tick();
    await keel.scheduler.tick();
    expect(reminders()).toEqual(['Reminder: Call the bank']);
    clock.set('2026-11-25T08:00:30Z');
    await keel.scheduler.tick();
    expect(reminders()).toEqual(['Reminder: Call the bank', expect.stringMatching(/^Reminder: No reply from Dana \(Acme Corp\)\?/)]);
  });
});
