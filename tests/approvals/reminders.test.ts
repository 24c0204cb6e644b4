import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { inQuietHours, remindApprovals } from '../../src/jobs/approval-reminders.js';
import type { Outbound } from '../../src/graph/index.js';
import { tempDatabase } from '../support/db.js';
import { kill, runUntil } from '../support/child.js';
import { cardsIn, startKeel, withBillingAddress } from '../support/keel.js';

const child = fileURLToPath(new URL('./reminder-child.ts', import.meta.url));
const HOUR = 3_600_000;

describe('approval reminders', () => {
  let db: ReturnType<typeof tempDatabase>;
  beforeEach(() => {
    db = tempDatabase();
  });
  afterEach(() => db.remove());

  it('fire once across a restart: the process that sent it is killed, the next one sends nothing more', async () => {
    const raisedAt = new Date('2026-11-25T09:00:00Z');
    const { child: raising, match: raised } = await runUntil(child, ['raise', db.url, raisedAt.toISOString()], /REF=(\S+)/);
    await kill(raising);

    const { child: reminding, match: reminded } = await runUntil(
      child,
      ['remind', db.url, new Date(raisedAt.getTime() + 2 * HOUR).toISOString()],
      /REMINDED=(\d+)/,
    );
    await kill(reminding);
    expect(reminded[1]).toBe('1');

    const clock = new ManualClock(new Date(raisedAt.getTime() + 3 * HOUR));
    const keel = await startKeel({ url: db.url, clock, env: { APPROVAL_REMINDER_MINUTES: '60', APPROVAL_QUIET_HOURS: 'off', DIGEST_TIME: 'off' } });
    const published: Outbound[] = [];
    keel.hub.subscribe((m) => published.push(m));
    await keel.recover();
    await keel.scheduler.sync();
    clock.advance(60_000);
    await keel.scheduler.tick();
    expect(published.filter((m) => m.kind === 'text' && m.text.startsWith('Reminder:'))).toEqual([]);
    expect(await keel.count("actions WHERE idempotency_key LIKE 'approval-reminder:%'")).toBe(1);
    expect(await keel.count("operator_notices WHERE kind = 'approval-reminder' AND delivered_at IS NOT NULL")).toBe(1);
    // The card is still open and still works.
    expect(cardsIn((await keel.tap(raised[1]!)).replies)[0]?.state).toBe('succeeded');
    keel.close();
  });

  it('wait out quiet hours in the operator time zone, and never remind of a decided or expired card', async () => {
    const clock = new ManualClock('2026-11-25T20:00:00Z');
    const keel = await startKeel({ url: db.url, clock, env: { TZ: 'Europe/Berlin' } });
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    const [open] = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    const [decided] = cardsIn((await keel.say('Invoice Acme 2 hours at 150 EUR for a call')).replies);
    await keel.tap(decided!.ref);
    const deps = { db: keel.storage.db, kernel: keel.kernel, clock, timeZone: 'Europe/Berlin', afterMinutes: 60, quietHours: { start: '22:00', end: '07:00' } };

    clock.set('2026-11-25T20:30:00Z'); // 21:30 in Berlin, but the card has waited only 30 minutes
    expect(await remindApprovals(deps)).toEqual([]);
    clock.set('2026-11-25T22:30:00Z'); // 23:30 in Berlin: quiet
    expect(inQuietHours(clock.now(), 'Europe/Berlin', deps.quietHours)).toBe(true);
    expect(await remindApprovals(deps)).toEqual([]);
    clock.set('2026-11-26T06:30:00Z'); // 07:30 in Berlin
    expect(await remindApprovals(deps)).toEqual([open!.actionId]);
    expect(await remindApprovals(deps)).toEqual([]);
    clock.advance(48 * HOUR);
    expect(await remindApprovals(deps)).toEqual([]);
    keel.close();
  });
});
