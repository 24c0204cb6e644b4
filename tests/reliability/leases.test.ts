import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { leaseFor } from '../../src/core/lease.js';
import { randomIds } from '../../src/core/ids.js';
import { createKernel, scopePolicy } from '../../src/kernel/index.js';
import { effectStore, noteRequest, testConnectors, testScopes } from '../kernel/support.js';
import { kill, runUntil } from '../support/child.js';
import { tempDatabase } from '../support/db.js';
import { startKeel } from '../support/keel.js';
import { digestEnv } from './lease-workflow.js';

/**
 * Exactly once across processes: a second process (this test) beside a child
 * that is inside a slow connector call, stopped with SIGSTOP past its lease,
 * or killed the instant it claimed the daily digest. Effects are counted where
 * they land (the test connectors' effects table, the operator's notices).
 */
const child = fileURLToPath(new URL('./lease-child.ts', import.meta.url));
const LEASE_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function database() {
  const db = tempDatabase('keel-lease-');
  cleanups.push(db.remove);
  const storage = await db.open();
  cleanups.unshift(() => storage.close());
  const effects = effectStore(storage.client);
  await effects.init();
  /** This test process as the second Keel process on the same database. */
  const second = createKernel({
    db: storage.db,
    connectors: testConnectors(effects),
    policy: scopePolicy(testScopes),
    clock: systemClock,
    ids: randomIds,
    owner: 'owner_second',
    lease: leaseFor(LEASE_MS),
  });
  const events = async () => (await storage.client.execute('SELECT event FROM audit_log ORDER BY id')).rows.map((r) => String(r.event));
  return { db, storage, effects, second, events };
}

/** Starts the action child and resolves once it is inside the connector's slow call. */
async function inside(url: string, key: string, stall: 'before-effect' | 'after-effect', slowMs: number) {
  const { child: proc } = await runUntil(child, ['action', url, key, stall, String(LEASE_MS), String(slowMs)], /INSIDE/);
  cleanups.unshift(() => kill(proc));
  return proc;
}

function outcome(proc: ChildProcess): Promise<{ state: string; owner: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const done = /^DONE (.*)$/m.exec(out)?.[1];
      if (done) resolve(JSON.parse(done) as { state: string; owner: string });
    });
    proc.once('exit', (code) => reject(new Error(`child exited (${code}) before DONE:\n${out}`)));
  });
}

describe('leases across processes', () => {
  it('a second process starting while the first is inside a slow connector call leaves it alone; the effect happens once', async () => {
    const { db, effects, second, events } = await database();
    const first = await inside(db.url, 'slow:1', 'before-effect', 5 * LEASE_MS);
    const finished = outcome(first);
    // Recovery in the second process, again and again over five leases: the first renews its lease, so nothing is taken over.
    const reports = [];
    for (let i = 0; i < 8; i++) {
      reports.push(await second.reconcile());
      await sleep(LEASE_MS / 2);
    }
    expect(await finished).toEqual({ state: 'succeeded', owner: 'owner_child' });
    expect(reports.every((r) => r.rerun === 0 && r.reconciled === 0 && r.needsAttention === 0)).toBe(true);
    // Asking for the same key from the second process returns the recorded outcome without a second effect.
    expect(await second.execute(noteRequest('a slow note', 'slow:1'))).toMatchObject({ state: 'succeeded', owner: 'owner_child' });
    expect(await effects.list('slow:1')).toHaveLength(1);
    expect(await events()).toEqual(['proposed', 'running', 'succeeded']);
    console.log(
      `leases: 8 recoveries by a second process over ${(8 * LEASE_MS) / 2} ms while the first was inside a ${5 * LEASE_MS} ms connector call: 0 taken over, 1 effect`,
    );
  }, 30_000);

  for (const stall of ['before-effect', 'after-effect'] as const) {
    it(`a first process SIGSTOPped past its lease (${stall}) is taken over by the second; woken, it does not repeat the effect`, async () => {
      const { db, effects, second, events } = await database();
      const first = await inside(db.url, `stopped:${stall}`, stall, LEASE_MS);
      first.kill('SIGSTOP');
      const finished = outcome(first);
      expect(await second.reconcile()).toMatchObject({ rerun: 0, reconciled: 0 }); // its lease still holds
      await sleep(2 * LEASE_MS);
      const report = await second.reconcile();
      expect(report).toMatchObject(stall === 'before-effect' ? { rerun: 1, reconciled: 0 } : { rerun: 0, reconciled: 1 });
      first.kill('SIGCONT');
      expect(await finished).toEqual({ state: 'succeeded', owner: 'owner_second' });
      expect(await effects.list(`stopped:${stall}`)).toHaveLength(1);
      const trail = await events();
      expect(trail.filter((e) => e === 'lease_lost')).toHaveLength(1);
      expect(trail.filter((e) => e === 'succeeded' || e === 'reconciled')).toHaveLength(1);
      console.log(
        `leases: first process SIGSTOPped ${stall} for ${2 * LEASE_MS} ms (lease ${LEASE_MS} ms): taken over (${stall === 'before-effect' ? 'rerun' : 'reconciled'}), the woken first recorded lease_lost, 1 effect; trail ${trail.join(' → ')}`,
      );
    }, 30_000);
  }

  it('a process killed the instant it claimed the daily digest: after the restart the digest is sent once', async () => {
    const db = tempDatabase('keel-lease-');
    cleanups.push(db.remove);
    // Yesterday's process planned today's 08:00 digest, so it is due now.
    const planner = await startKeel({ url: db.url, env: digestEnv, clock: new ManualClock(new Date(Date.now() - 24 * 3_600_000)) });
    await planner.scheduler.sync();
    const dueAt = Number((await planner.storage.client.execute("SELECT next_run_at FROM scheduled_jobs WHERE name = 'daily-digest'")).rows[0]!.next_run_at);
    planner.close();

    const { child: claimer } = await runUntil(child, ['digest', db.url], /^(CLAIMED|NO CLAIM)$/m);
    await new Promise((resolve) => (claimer.exitCode !== null || claimer.signalCode !== null ? resolve(undefined) : claimer.once('exit', resolve)));
    expect({ code: claimer.exitCode, signal: claimer.signalCode }).toEqual({ code: null, signal: 'SIGKILL' });

    const keel = await startKeel({ url: db.url, env: digestEnv });
    cleanups.unshift(() => keel.close());
    const published: unknown[] = [];
    keel.hub.subscribe((m) => published.push(m));
    const job = async () => (await keel.storage.client.execute("SELECT next_run_at, claimed_by FROM scheduled_jobs WHERE name = 'daily-digest'")).rows[0]!;
    // The claim did not move the digest to tomorrow: it is still due, held by the dead process until its lease runs out.
    expect(await job()).toMatchObject({ next_run_at: dueAt, claimed_by: expect.stringMatching(/^owner_/) });
    await keel.scheduler.sync();
    const ticks: string[][] = [];
    const started = Date.now();
    while (!ticks.flat().includes('daily-digest') && Date.now() - started < 20_000) {
      ticks.push(await keel.scheduler.tick());
      await sleep(250);
    }
    ticks.push(await keel.scheduler.tick());
    expect(ticks.flat().filter((name) => name === 'daily-digest')).toEqual(['daily-digest']);
    expect(await keel.count("operator_notices WHERE kind = 'digest' AND delivered_at IS NOT NULL")).toBe(1);
    expect(await keel.count("actions WHERE idempotency_key LIKE 'digest:%' AND state = 'succeeded'")).toBe(1);
    expect(published.length).toBeGreaterThan(0);
    expect(Number((await job()).next_run_at)).toBeGreaterThan(Date.now());
    console.log(
      `leases: killed at the digest's claim; after the restart the digest went out once, ${Date.now() - started} ms after the first tick (lease ${Number(digestEnv.LEASE_SECONDS) * 1000} ms)`,
    );
  }, 60_000);
});
