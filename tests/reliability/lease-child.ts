/**
 * A process the lease tests stop, kill and race against.
 * Usage: lease-child.ts action <db url> <idempotency key> <before-effect|after-effect> <lease ms> <slow ms>
 *          runs notes.add through the kernel; the connector stands in for a slow outside call of <slow ms>,
 *          before or after writing its effect, and prints INSIDE when it starts waiting; then prints DONE <row>.
 *        lease-child.ts digest <db url>
 *          ticks the scheduler of a Keel whose daily digest is due, and SIGKILLs itself the instant the
 *          digest's claim is committed, before the job runs (printing CLAIMED first).
 */
import { writeSync } from 'node:fs';
import type { InStatement } from '@libsql/client';
import { systemClock } from '../../src/core/clock.js';
import { leaseFor } from '../../src/core/lease.js';
import { randomIds } from '../../src/core/ids.js';
import { openStorage } from '../../src/storage/index.js';
import { nodePlatform } from '../../src/platform/node.js';
import { createKernel, scopePolicy, type OperationContext } from '../../src/kernel/index.js';
import { effectStore, noteRequest, testConnectors, testScopes } from '../kernel/support.js';
import { startKeel } from '../support/keel.js';
import { digestEnv } from './lease-workflow.js';

const [mode, url, ...rest] = process.argv.slice(2);
if (!url || (mode !== 'action' && mode !== 'digest')) throw new Error('usage: lease-child.ts <action|digest> <db url> …');

if (mode === 'action') {
  const [key, stall, leaseMs, slowMs] = rest;
  if (!key || (stall !== 'before-effect' && stall !== 'after-effect'))
    throw new Error('usage: lease-child.ts action <db url> <key> <before-effect|after-effect> <lease ms> <slow ms>');
  const slow = async (ctx: OperationContext) => {
    process.stdout.write('INSIDE\n');
    await new Promise((resolve) => setTimeout(resolve, Number(slowMs)));
    // As a slow connector should: confirm the lease before committing, so a process that woke too late stops here.
    if (stall === 'before-effect') await ctx.heartbeat();
  };
  const storage = await openStorage({ url }, nodePlatform);
  const kernel = createKernel({
    db: storage.db,
    connectors: testConnectors(effectStore(storage.client), { hooks: stall === 'before-effect' ? { beforeEffect: slow } : { afterEffect: slow } }),
    policy: scopePolicy(testScopes),
    clock: systemClock,
    ids: randomIds,
    owner: 'owner_child',
    lease: leaseFor(Number(leaseMs)),
  });
  const row = await kernel.execute(noteRequest('a slow note', key));
  process.stdout.write(`DONE ${JSON.stringify({ state: row.state, owner: row.owner })}\n`);
  storage.close();
} else {
  // The client Keel's storage (and drizzle) speaks through, whichever connection serves it underneath.
  const openClient = nodePlatform.openClient;
  nodePlatform.openClient = async (settings) => {
    const client = await openClient(settings);
    const execute = client.execute;
    client.execute = async (stmt: InStatement | string, args?: unknown) => {
      const result = await execute(stmt as never, args as never);
      // The claim: drizzle writes the set columns in table order, so it starts with last_run_at and names this owner.
      const claim =
        typeof stmt === 'object' &&
        /^update "scheduled_jobs" set "last_run_at" = \?, "claimed_by" = \?/i.test(stmt.sql) &&
        Array.isArray(stmt.args) &&
        stmt.args.includes('daily-digest');
      if (claim && result.rows.length) {
        writeSync(1, 'CLAIMED\n');
        process.kill(process.pid, 'SIGKILL');
      }
      return result;
    };
    return client;
  };
  const keel = await startKeel({ url, env: digestEnv });
  await keel.scheduler.sync();
  await keel.scheduler.tick();
  process.stdout.write('NO CLAIM\n');
  keel.close();
}
