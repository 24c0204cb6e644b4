/**
 * A Keel process the restart tests kill with SIGKILL.
 * pause <db url>: raises an invoice card, prints REF=<ref>, then hangs.
 * decide <db url> <ref>: records an approval the way a tap does, then "crashes" before resuming the thread.
 */
import { startKeel, cardsIn, withBillingAddress } from '../support/keel.js';

const [mode, url, ref] = process.argv.slice(2);
if (!url || (mode !== 'pause' && mode !== 'decide')) throw new Error('usage: restart-child.ts <pause|decide> <db url> [ref]');

const hang = (line: string) => {
  process.stdout.write(`${line}\n`);
  return new Promise(() => setInterval(() => {}, 1_000));
};

const keel = await startKeel({ url });
if (mode === 'pause') {
  await keel.say('Add Acme Corp as a client, contact dana@acme.test');
  await withBillingAddress(keel, 'Acme Corp');
  const [card] = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
  await hang(`REF=${card!.ref}`);
} else {
  await keel.kernel.decide({ ref: ref!, decision: 'approve', by: 'web:operator' });
  await hang('DECIDED');
}
