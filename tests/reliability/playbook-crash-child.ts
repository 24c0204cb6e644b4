/**
 * One step of a playbook run in a process the playbook crash sweep kills.
 * Usage: playbook-crash-child.ts <fire|approve> <db url> <crash point, 0 = none>
 *   fire:    the playbooks job finds the accepted proposal: the run opens, its steps are proposed, the project is made
 *   approve: the operator taps "Approve all" on the gathered message (the welcome email and the deposit invoice go out)
 * With a crash point n the process SIGKILLs itself just before its n-th durable write (crash-points.ts).
 */
import { installCrashPoints } from './crash-points.js';
import { startKeel } from '../support/keel.js';
import { batchTap, crashEnv } from './playbook-crash-workflow.js';

const [phase, url, crashAt] = process.argv.slice(2);
if (!url || (phase !== 'fire' && phase !== 'approve')) throw new Error('usage: playbook-crash-child.ts <fire|approve> <db url> <crash point>');

const points = installCrashPoints(Number(crashAt ?? 0));
const keel = await startKeel({ url, env: crashEnv });
if (phase === 'fire') {
  points.arm();
  await keel.playbooks.tick();
  process.stdout.write(`DONE ${JSON.stringify({ status: 'fired', boundaries: points.passed })}\n`);
} else {
  const [batch] = (await keel.storage.client.execute('SELECT id FROM approval_batches')).rows;
  if (!batch) throw new Error('approve: no gathered message; run fire first');
  points.arm();
  const result = await keel.conversation.handle(batchTap(String(batch.id)));
  process.stdout.write(`DONE ${JSON.stringify({ status: result.status, boundaries: points.passed })}\n`);
}
keel.close();
