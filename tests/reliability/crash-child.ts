/**
 * One step of the approval workflow in a process the crash sweep kills.
 * Usage: crash-child.ts <raise|approve> <db url> <crash point, 0 = none>
 *   raise:   the operator asks on Telegram for an invoice (a card is raised)
 *   approve: the operator taps Approve on that card (the invoice is issued and emailed)
 * With a crash point n the process SIGKILLs itself just before its n-th durable
 * write (see crash-points.ts); without one it prints every boundary it passed.
 */
import { installCrashPoints } from './crash-points.js';
import { startKeel } from '../support/keel.js';
import { crashEnvWith, MODEL_URL_VARIABLE, raiseEvent, tapEvent } from './crash-workflow.js';

const [phase, url, crashAt] = process.argv.slice(2);
if (!url || (phase !== 'raise' && phase !== 'approve')) throw new Error('usage: crash-child.ts <raise|approve> <db url> <crash point>');

const points = installCrashPoints(Number(crashAt ?? 0));
const keel = await startKeel({ url, env: crashEnvWith(process.env[MODEL_URL_VARIABLE]) });
let event;
if (phase === 'raise') {
  event = raiseEvent;
} else {
  const [card] = await keel.kernel.list({ states: ['awaiting_approval'] });
  if (!card?.cardRef) throw new Error('approve: no card is waiting; run raise first');
  event = tapEvent(card.cardRef);
}
points.arm();
const result = await keel.conversation.handle(event);
process.stdout.write(`DONE ${JSON.stringify({ status: result.status, boundaries: points.passed })}\n`);
keel.close();
