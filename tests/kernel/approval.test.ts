import { describe, expect, it } from 'vitest';
import { defaultLease } from '../../src/core/lease.js';
import { PolicyRefusal, scopePolicy } from '../../src/kernel/index.js';
import { kernelPerTest } from './support.js';

const start = kernelPerTest();
const HOUR = 60 * 60 * 1000;
const mail = (key: string, to = 'ana@client.example') => ({
  operation: 'mail.send',
  input: { to, subject: 'Proposal' },
  idempotencyKey: key,
  agent: 'sales',
  reason: 'Ana asked for the proposal',
  evidence: ['msg_9', 'mem_3'],
  threadId: 'op:1',
});

describe('policy', () => {
  it('refuses an out-of-scope request, audits it, and records no action', async () => {
    const { kernel, auditTrail, effects } = await start();
    const req = {
      operation: 'invoices.issue',
      input: { client: 'Ana', amount: 900 },
      idempotencyKey: 'k1',
      agent: 'sales',
      reason: 'she asked',
      evidence: ['msg_1'],
    };

    const refused = kernel.execute(req);
    await expect(refused).rejects.toBeInstanceOf(PolicyRefusal);
    await expect(refused).rejects.toThrow(/Agent "sales" may not request invoices\.issue/);

    expect(await kernel.list()).toEqual([]);
    expect(await effects.list()).toEqual([]);
    expect(await auditTrail()).toContainEqual(
      expect.objectContaining({
        actor: 'sales',
        event: 'refused',
        operation: 'invoices.issue',
        reason: 'she asked',
        evidence: ['msg_1'],
        detail: { idempotencyKey: 'k1' },
      }),
    );
  });

  it('lets the operator request any operation and asks approval for effects that leave Keel or cannot be undone', async () => {
    const policy = scopePolicy({ sales: { operations: ['notes.add'] } });
    const { kernel } = await start();
    expect(policy.mayRequest('operator', 'invoices.void')).toBe(true);
    expect(policy.mayRequest('operator:42', 'invoices.void')).toBe(true);
    expect(policy.mayRequest('sales', 'invoices.void')).toBe(false);
    expect(policy.mayRequest('toString', 'notes.add')).toBe(false);
    const req = { operation: 'x', input: {}, idempotencyKey: 'k', agent: 'sales', reason: 'r', evidence: [] };
    expect(policy.requiresApproval(kernel.operation('notes.add'), req)).toBe(false);
    expect(policy.requiresApproval(kernel.operation('invoices.issue'), req)).toBe(true);
    expect(policy.requiresApproval(kernel.operation('mail.send'), req)).toBe(true);
  });

  it('asks approval for an irreversible operation even when the policy would waive it', async () => {
    const { kernel } = await start({
      kernel: { policy: { mayRequest: () => true, requiresApproval: () => false } },
    });
    expect((await kernel.execute(mail('waived'))).state).toBe('awaiting_approval');
    const issued = await kernel.execute({
      operation: 'invoices.issue',
      input: { client: 'Ana', amount: 5 },
      idempotencyKey: 'inv',
      agent: 'finance',
      reason: 'r',
    });
    expect(issued.state).toBe('succeeded');
  });
});

describe('approval', () => {
  it('holds an action that needs approval, with a card reference and an expiry, and does not run it', async () => {
    const { kernel, clock, effects } = await start();
    const proposed = await kernel.execute(mail('mail:1'));
    expect(proposed).toMatchObject({ state: 'awaiting_approval', requiresApproval: true, attempts: 0 });
    expect(proposed.cardRef).toMatch(/^secret/);
    expect(proposed.expiresAt).toEqual(new Date(clock.now().getTime() + 48 * HOUR));
    expect(await kernel.byRef(proposed.cardRef!)).toEqual(proposed);
    expect(await kernel.execute(proposed.id)).toEqual(proposed);
    expect(await kernel.execute(mail('mail:1'))).toEqual(proposed);
    expect(await effects.list()).toEqual([]);
  });

  it('runs an approved action when executed, and audits the decision', async () => {
    const { kernel, clock, effects, auditTrail } = await start();
    const proposed = await kernel.propose(mail('mail:2'));

    const decided = await kernel.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'operator:42' });
    expect(decided).toMatchObject({ outcome: 'decided', action: { state: 'approved', decidedBy: 'operator:42', decidedAt: clock.now() } });
    expect(await effects.list()).toEqual([]);

    const done = await kernel.execute(proposed.id);
    expect(done).toMatchObject({ state: 'succeeded', result: { sentTo: 'ana@client.example' } });
    expect(await effects.list('mail:2')).toHaveLength(1);

    const trail = await auditTrail();
    expect(trail.map((e) => e.event)).toEqual(['proposed', 'approved', 'running', 'succeeded']);
    expect(trail[1]).toMatchObject({ actor: 'operator:42', actionId: proposed.id, operation: 'mail.send', evidence: ['msg_9', 'mem_3'] });
    expect(JSON.stringify(trail)).not.toContain(proposed.cardRef!);
  });

  it('records a rejection and never runs the action', async () => {
    const { kernel, effects } = await start();
    const proposed = await kernel.propose(mail('mail:3'));
    const decided = await kernel.decide({ ref: proposed.cardRef!, decision: 'reject', by: 'operator:42' });
    expect(decided).toMatchObject({ outcome: 'decided', action: { state: 'rejected', decidedBy: 'operator:42' } });
    expect(await kernel.execute(proposed.id)).toMatchObject({ state: 'rejected' });
    expect(await effects.list()).toEqual([]);
  });

  it('lets the first tap win and tells later taps who decided and when', async () => {
    const { kernel, clock } = await start();
    const proposed = await kernel.propose(mail('mail:4'));
    const ref = proposed.cardRef!;
    const decidedAt = clock.now();

    const taps = await Promise.all([
      kernel.decide({ ref, decision: 'approve', by: 'operator:telegram' }),
      kernel.decide({ ref, decision: 'reject', by: 'operator:slack' }),
    ]);
    expect(taps.map((t) => t.outcome).sort()).toEqual(['already_decided', 'decided']);

    const winner = taps.find((t) => t.outcome === 'decided');
    if (winner?.outcome !== 'decided') throw new Error('one tap must win');

    clock.advance(HOUR);
    const late = await kernel.decide({ ref, decision: 'reject', by: 'operator:web' });
    expect(late).toMatchObject({
      outcome: 'already_decided',
      action: { state: winner.action.state, decidedBy: winner.action.decidedBy, decidedAt },
    });
  });

  it('expires a card tapped after its expiry, and refuses later taps as expired', async () => {
    const { kernel, clock, effects, auditTrail } = await start({ kernel: { approvalTtlMs: HOUR } });
    const proposed = await kernel.propose(mail('mail:5'));
    clock.advance(HOUR + 1);

    const tapped = await kernel.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'operator:42' });
    expect(tapped).toMatchObject({ outcome: 'expired', action: { state: 'expired', decidedBy: null } });
    expect(await kernel.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'operator:42' })).toMatchObject({ outcome: 'expired' });
    expect(await kernel.execute(proposed.id)).toMatchObject({ state: 'expired' });
    expect(await effects.list()).toEqual([]);
    expect((await auditTrail()).filter((e) => e.event === 'expired')).toEqual([
      expect.objectContaining({ actor: 'system', actionId: proposed.id, detail: expect.objectContaining({ attemptedBy: 'operator:42' }) }),
    ]);
  });

  it('accepts a decision up to the expiry instant', async () => {
    const { kernel, clock } = await start({ kernel: { approvalTtlMs: HOUR } });
    const proposed = await kernel.propose(mail('mail:6'));
    clock.advance(HOUR);
    expect(await kernel.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'operator:42' })).toMatchObject({ outcome: 'decided' });
  });

  it('expireDue marks only cards past their expiry', async () => {
    const { kernel, clock } = await start({ kernel: { approvalTtlMs: HOUR } });
    const old = await kernel.propose(mail('mail:7'));
    clock.advance(30 * 60 * 1000);
    const fresh = await kernel.propose(mail('mail:8'));
    clock.advance(31 * 60 * 1000);

    const expired = await kernel.expireDue();
    expect(expired.map((a) => a.id)).toEqual([old.id]);
    expect(await kernel.get(fresh.id)).toMatchObject({ state: 'awaiting_approval' });
    expect(await kernel.expireDue()).toEqual([]);
  });

  it('answers not_found for an unknown card', async () => {
    const { kernel } = await start();
    expect(await kernel.decide({ ref: 'nope', decision: 'approve', by: 'operator:42' })).toEqual({ outcome: 'not_found' });
  });

  it('lists actions by thread and state', async () => {
    const { kernel } = await start();
    await kernel.propose(mail('mail:9'));
    await kernel.execute({ ...mail('note:1'), operation: 'notes.add', input: { text: 't' }, threadId: 'op:2' });
    expect((await kernel.list({ threadId: 'op:2' })).map((a) => a.idempotencyKey)).toEqual(['note:1']);
    expect((await kernel.list({ states: ['awaiting_approval'] })).map((a) => a.idempotencyKey)).toEqual(['mail:9']);
    expect(await kernel.list({ limit: 1 })).toHaveLength(1);
  });
});

describe('a decision recorded just before a crash', () => {
  it('gets its audit entry at the next start, from the ledger row, once', async () => {
    const { kernel, clock, storage, auditTrail } = await start();
    const proposed = await kernel.propose(mail('crash:decided'));
    // What a process killed between the decision's UPDATE and its audit INSERT leaves behind.
    await storage.client.execute({
      sql: "UPDATE actions SET state = 'approved', decided_by = 'telegram:42', decided_at = ? WHERE id = ?",
      args: [clock.now().getTime(), proposed.id],
    });
    // A live process writes the entry right after the decision: recovery restores only one older than a lease.
    expect(await kernel.reconcile()).toMatchObject({ restoredEntries: 0 });
    clock.advance(defaultLease.ttlMs);

    expect(await kernel.reconcile()).toEqual({ reconciled: 0, needsAttention: 0, rerun: 0, restoredEntries: 1 });
    const restored = (await auditTrail()).filter((e) => e.event === 'approved');
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ actor: 'telegram:42', actionId: proposed.id, operation: 'mail.send', evidence: ['msg_9', 'mem_3'] });
    expect(restored[0]!.detail).toMatchObject({ restored: true });

    expect(await kernel.reconcile()).toEqual({ reconciled: 0, needsAttention: 0, rerun: 0, restoredEntries: 0 });
    const decided = await kernel.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'web:operator' });
    expect(decided.outcome).toBe('already_decided');
    expect((await auditTrail()).filter((e) => e.event === 'approved')).toHaveLength(1);
  });
});
