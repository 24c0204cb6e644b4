/**
 * A Keel process the reminder test kills with SIGKILL. The clock is fixed by the caller.
 * raise <db url> <iso time>: raises an invoice card, prints REF=<ref>, then hangs.
 * remind <db url> <iso time>: runs the scheduler once; prints REMINDED=<n> with the reminders it delivered, then hangs.
 */
import { ManualClock } from '../../src/core/clock.js';
import type { Outbound } from '../../src/graph/index.js';
import { startKeel, cardsIn, withBillingAddress } from '../support/keel.js';

const [mode, url, at] = process.argv.slice(2);
if (!url || !at || (mode !== 'raise' && mode !== 'remind')) throw new Error('usage: reminder-child.ts <raise|remind> <db url> <iso time>');

const hang = (line: string) => {
  process.stdout.write(`${line}\n`);
  return new Promise(() => setInterval(() => {}, 1_000));
};

const clock = new ManualClock(at);
const keel = await startKeel({ url, clock, env: { APPROVAL_REMINDER_MINUTES: '60', APPROVAL_QUIET_HOURS: 'off', DIGEST_TIME: 'off' } });
if (mode === 'raise') {
  await keel.say('Add Acme Corp as a client, contact dana@acme.test');
  await withBillingAddress(keel, 'Acme Corp');
  const [card] = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
  await hang(`REF=${card!.ref}`);
} else {
  const reminders: Outbound[] = [];
  keel.hub.subscribe((m) => m.kind === 'text' && m.text.startsWith('Reminder:') && reminders.push(m));
  await keel.recover();
  await keel.scheduler.sync();
  clock.advance(60_000);
  await keel.scheduler.tick();
  await hang(`REMINDED=${reminders.length}`);
}
