import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { defaultLease } from '../../src/core/lease.js';
import { randomIds } from '../../src/core/ids.js';
import { auditLog, createKernel, scopePolicy } from '../../src/kernel/index.js';
import { tempDatabase } from '../support/db.js';
import { effectStore, testConnectors, testScopes, type ConnectorOptions } from './support.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Starts the child, waits for its signal line, and SIGKILLs it mid-action. */
function runAndKill(url: string, mode: 'after-effect' | 'before-effect', key: string, signal: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, url, mode, key], { cwd: repoRoot });
    let out = '';
    let err = '';
    let signalled = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!signalled && out.split('\n').includes(signal)) {
        signalled = true;
        proc.kill('SIGKILL');
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code, sig) =>
      signalled && sig === 'SIGKILL' ? resolve() : reject(new Error(`child exited (${code ?? sig}) before signalling ${signal}: ${out}${err}`)),
    );
  });
}

let cleanups: Array<() => void> = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

/** A kernel process started after the crash, on the same database file. */
async function restart(database: Awaited<ReturnType<typeof tempDatabase>>, opts: ConnectorOptions = {}) {
  const storage = await database.open();
  cleanups.unshift(() => storage.close());
  const effects = effectStore(storage.client);
  // The child's ManualClock started at the same instant: this process starts once the child's lease ran out.
  const clock = new ManualClock();
  clock.advance(defaultLease.ttlMs);
  const kernel = createKernel({
    db: storage.db,
    connectors: testConnectors(effects, opts),
    policy: scopePolicy(testScopes),
    clock,
    ids: randomIds,
  });
  const auditEvents = async () => (await storage.db.select().from(auditLog)).map((e) => e.event);
  return { kernel, effects, auditEvents };
}

async function crashed(mode: 'after-effect' | 'before-effect', key: string, signal: string) {
  const database = tempDatabase('keel-kernel-');
  cleanups.push(database.remove);
  const first = await database.open();
  await effectStore(first.client).init();
  first.close();
  await runAndKill(database.url, mode, key, signal);
  return database;
}

describe('crash recovery', () => {
  it('records the effect a killed process already caused, without causing it again', async () => {
    const database = await crashed('after-effect', 'crash:1', 'EFFECT');
    const { kernel, effects, auditEvents } = await restart(database);
    const [stuck] = await kernel.list();
    expect(stuck).toMatchObject({ state: 'running', attempts: 1 });
    expect(await effects.list('crash:1')).toHaveLength(1);

    expect(await kernel.reconcile()).toEqual({ reconciled: 1, needsAttention: 0, rerun: 0, restoredEntries: 0 });

    expect(await kernel.get(stuck!.id)).toMatchObject({ state: 'succeeded', result: { noteId: 'note:crash:1' }, attempts: 1 });
    expect(await effects.list('crash:1')).toHaveLength(1);
    expect(await auditEvents()).toEqual(['proposed', 'running', 'reconciled']);
    expect(await kernel.execute(stuck!.id)).toMatchObject({ state: 'succeeded' });
    expect(await effects.list('crash:1')).toHaveLength(1);
  }, 20_000);

  it('runs once more an action a killed process had not carried out', async () => {
    const database = await crashed('before-effect', 'crash:2', 'RUNNING');
    const { kernel, effects, auditEvents } = await restart(database);
    expect(await effects.list('crash:2')).toEqual([]);

    expect(await kernel.reconcile()).toEqual({ reconciled: 0, needsAttention: 0, rerun: 1, restoredEntries: 0 });

    const [action] = await kernel.list();
    expect(action).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(await effects.list('crash:2')).toHaveLength(1);
    expect(await auditEvents()).toEqual(['proposed', 'running', 'rerun', 'running', 'succeeded']);
    expect(await kernel.reconcile()).toEqual({ reconciled: 0, needsAttention: 0, rerun: 0, restoredEntries: 0 });
  }, 20_000);

  it('asks for attention, never repeats, when the outside system cannot tell', async () => {
    const database = await crashed('after-effect', 'crash:3', 'EFFECT');
    const { kernel, effects, auditEvents } = await restart(database, { lookup: 'unknown' });

    expect(await kernel.reconcile()).toEqual({ reconciled: 0, needsAttention: 1, rerun: 0, restoredEntries: 0 });

    const [action] = await kernel.list();
    expect(action).toMatchObject({ state: 'needs_attention', error: 'the provider does not say' });
    expect(await kernel.execute(action!.id)).toMatchObject({ state: 'needs_attention' });
    expect(await effects.list('crash:3')).toHaveLength(1);
    expect(await auditEvents()).toEqual(['proposed', 'running', 'needs_attention']);
  }, 20_000);
});
