/**
 * Runs one action in a process the crash test kills. The connector writes its
 * effect durably (or not, in "before-effect" mode), tells the parent on stdout,
 * then hangs so the parent can SIGKILL it mid-action.
 * Usage: node --import tsx crash-child.ts <db url> <after-effect|before-effect> <idempotency key>
 */
import { ManualClock } from '../../src/core/clock.js';
import { randomIds } from '../../src/core/ids.js';
import { openStorage } from '../../src/storage/index.js';
import { nodePlatform } from '../../src/platform/node.js';
import { createKernel, scopePolicy } from '../../src/kernel/index.js';
import { effectStore, noteRequest, testConnectors, testScopes } from './support.js';

const [url, mode, key] = process.argv.slice(2);
if (!url || !key || (mode !== 'after-effect' && mode !== 'before-effect')) {
  throw new Error('usage: crash-child.ts <db url> <after-effect|before-effect> <idempotency key>');
}

const hang = async (signal: string) => {
  process.stdout.write(`${signal}\n`);
  // The interval keeps the event loop alive until the parent kills us.
  await new Promise(() => setInterval(() => {}, 1_000));
};

const storage = await openStorage({ url }, nodePlatform);
const kernel = createKernel({
  db: storage.db,
  connectors: testConnectors(effectStore(storage.client), {
    hooks: mode === 'after-effect' ? { afterEffect: () => hang('EFFECT') } : { beforeEffect: () => hang('RUNNING') },
  }),
  policy: scopePolicy(testScopes),
  clock: new ManualClock(),
  ids: randomIds,
});
await kernel.execute(noteRequest('survive the crash', key));
