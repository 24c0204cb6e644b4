import { afterEach, describe, expect, it } from 'vitest';
import { sequentialIds } from '../../src/core/ids.js';
import type { OperationContext } from '../../src/kernel/index.js';
import { createKernel, scopePolicy } from '../../src/kernel/index.js';
import { gate, stalledLease } from '../support/gate.js';
import { noteRequest, setup, testConnectors, testScopes } from './support.js';

const lease = stalledLease;

describe('leases on running actions', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  async function twoProcesses(stall: 'before-effect' | 'after-effect', firstLease = lease) {
    const held = gate();
    const hook = async (ctx: OperationContext) => {
      await held.wait();
      // A slow connector confirms its lease before committing, so an owner that woke too late stops here.
      if (stall === 'before-effect') await ctx.heartbeat();
    };
    const first = await setup({
      kernel: { owner: 'owner_a', lease: firstLease },
      hooks: stall === 'before-effect' ? { beforeEffect: hook } : { afterEffect: hook },
    });
    cleanup = first.cleanup;
    const second = createKernel({
      db: first.storage.db,
      connectors: testConnectors(first.effects),
      policy: scopePolicy(testScopes),
      clock: first.clock,
      ids: sequentialIds(),
      owner: 'owner_b',
      lease,
    });
    return { ...first, held, second };
  }

  it('are left alone while their owner renews them, and taken over once the lease ran out (the owner stalled before its effect)', async () => {
    const { kernel, second, clock, effects, held, auditTrail } = await twoProcesses('before-effect');
    const running = kernel.execute(noteRequest('slow note', 'lease:1'));
    await held.inside;
    const [action] = await kernel.list();
    expect(action).toMatchObject({ state: 'running', owner: 'owner_a', leaseUntil: new Date(clock.now().getTime() + lease.ttlMs) });

    // A second process starting now must not touch it: the owner is alive and inside the connector.
    expect(await second.reconcile()).toEqual({ reconciled: 0, needsAttention: 0, rerun: 0, restoredEntries: 0 });
    clock.advance(lease.ttlMs - 1);
    expect(await second.reconcile()).toMatchObject({ rerun: 0 });
    expect(await kernel.get(action!.id)).toMatchObject({ state: 'running', owner: 'owner_a' });

    // Past the lease: the second process asks the outside system, learns "not done", and runs it.
    clock.advance(1);
    expect(await second.reconcile()).toEqual({ reconciled: 0, needsAttention: 0, rerun: 1, restoredEntries: 0 });
    expect(await kernel.get(action!.id)).toMatchObject({ state: 'succeeded', owner: 'owner_b' });

    // The first owner wakes: its heartbeat finds the lease lost, and it does not repeat the effect.
    held.open();
    expect(await running).toMatchObject({ state: 'succeeded', owner: 'owner_b' });
    expect(await effects.list('lease:1')).toHaveLength(1);
    expect((await auditTrail()).map((e) => e.event)).toEqual(['proposed', 'running', 'rerun', 'running', 'succeeded', 'lease_lost']);
  });

  it('are taken over once the lease ran out, and the late owner records nothing (the owner stalled after its effect)', async () => {
    const { kernel, second, clock, effects, held, auditTrail } = await twoProcesses('after-effect');
    const running = kernel.execute(noteRequest('slow note', 'lease:2'));
    await held.inside;
    expect(await second.reconcile()).toMatchObject({ reconciled: 0 });
    clock.advance(lease.ttlMs);
    expect(await second.reconcile()).toEqual({ reconciled: 1, needsAttention: 0, rerun: 0, restoredEntries: 0 });

    held.open();
    expect(await running).toMatchObject({ state: 'succeeded', owner: 'owner_b', attempts: 1 });
    expect(await effects.list('lease:2')).toHaveLength(1);
    expect((await auditTrail()).map((e) => e.event)).toEqual(['proposed', 'running', 'reconciled', 'lease_lost']);
  });

  it('are renewed by a heartbeat, so a live owner keeps its action however long the connector takes', async () => {
    const { kernel, second, clock, effects, held } = await twoProcesses('before-effect', { ttlMs: lease.ttlMs, renewEveryMs: 5 });
    const running = kernel.execute(noteRequest('slow note', 'lease:3'));
    await held.inside;
    clock.advance(lease.ttlMs - 1);
    const [action] = await kernel.list();
    // The owner's heartbeat (every 5 ms of real time here) moves the lease on from the clock's now.
    await expect.poll(async () => (await kernel.get(action!.id))?.leaseUntil?.getTime()).toBe(clock.now().getTime() + lease.ttlMs);
    clock.advance(2);
    expect(await second.reconcile()).toMatchObject({ rerun: 0, reconciled: 0, needsAttention: 0 });
    held.open();
    expect(await running).toMatchObject({ state: 'succeeded', owner: 'owner_a', leaseUntil: null });
    expect(await effects.list('lease:3')).toHaveLength(1);
  });
});
