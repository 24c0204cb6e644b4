import { and, eq, isNull, lte, or } from 'drizzle-orm';
import type { Clock } from '../core/clock.js';
import type { LookupResult } from './connector.js';
import type { Audit } from './audit.js';
import { errorMessage } from './errors.js';
import type { Action, Ledger } from './ledger.js';
import type { Registry } from './registry.js';
import type { Runner } from './run.js';
import { actions } from './tables.js';

export interface ReconcileReport {
  reconciled: number;
  needsAttention: number;
  rerun: number;
  /** Decision audit entries written from the ledger because a crash had kept them out. */
  restoredEntries: number;
}

/**
 * Settles actions whose owner died or stalled while they were `running`, by
 * asking the outside system whether the idempotency key took effect. Only an
 * action whose lease ran out is touched — another process (or isolate) may be
 * running the rest right now — and it is first claimed with one conditional
 * update, so of two reconcilers one takes it over. Only a definite "not done"
 * is run again; a doubt goes to the operator as needs_attention, because
 * repeating an effect that may have happened (a second invoice, a second email)
 * is worse than asking. Safe to call at any time: at start, on a timer, on a
 * Workers cron tick. It also completes the audit trail of decisions recorded
 * just before a crash.
 */
export function createReconciler(deps: { ledger: Ledger; audit: Audit; registry: Registry; runner: Runner; clock: Clock }) {
  const { ledger, audit, registry, runner, clock } = deps;

  /** Makes this process the owner of a running action whose lease ran out; undefined when it is still held or someone else took it. */
  const takeOver = (action: Action) =>
    ledger.updateWhere(and(eq(actions.id, action.id), eq(actions.state, 'running'), or(isNull(actions.leaseUntil), lte(actions.leaseUntil, clock.now()))), {
      owner: runner.owner,
      leaseUntil: runner.leaseUntil(),
    });

  async function ask(action: Action): Promise<LookupResult> {
    try {
      const { op, pace } = registry.resolve(action.operation);
      await pace();
      return await op.lookup(action.idempotencyKey, action.input);
    } catch (error) {
      return { status: 'unknown', detail: `lookup failed: ${errorMessage(error)}` };
    }
  }

  /** Writes the decision entries a crash kept out of the trail, from the ledger row, marked as restored. */
  async function restoreDecisionEntries(): Promise<number> {
    // A live process writes a decision's entry right after the decision; only one older than a lease was cut off by a crash.
    const missing = await ledger.decidedWithoutAudit(new Date(clock.now().getTime() - runner.lease.ttlMs));
    for (const action of missing) {
      await audit({
        actor: action.decidedBy!,
        event: action.state === 'rejected' ? 'rejected' : 'approved',
        actionId: action.id,
        operation: action.operation,
        reason: action.reason,
        evidence: action.evidence,
        detail: { restored: true, decidedAt: action.decidedAt?.toISOString() },
      });
    }
    return missing.length;
  }

  return async function reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { reconciled: 0, needsAttention: 0, rerun: 0, restoredEntries: await restoreDecisionEntries() };
    for (const orphan of await ledger.list({ states: ['running'] })) {
      if (runner.inHand(orphan.id)) continue;
      const action = await takeOver(orphan);
      if (!action) continue;
      const found = await runner.holding(action, () => ask(action));
      const entry = { actor: 'system', actionId: action.id, operation: action.operation };
      if (found.status === 'done') {
        const settled = await runner.succeed(action, found.result, 'reconciled');
        if (settled.state === 'succeeded') report.reconciled++;
      } else if (found.status === 'not_done') {
        const approved = await runner.whileOwner(action.id, { state: 'approved', leaseUntil: null });
        if (!approved) continue;
        await audit({ ...entry, event: 'rerun', detail: { lookup: 'not_done', attempts: approved.attempts, previousOwner: orphan.owner } });
        await runner.advance(approved);
        report.rerun++;
      } else {
        const parked = await runner.whileOwner(action.id, { state: 'needs_attention', error: found.detail, leaseUntil: null });
        if (!parked) continue;
        await audit({ ...entry, event: 'needs_attention', detail: { lookup: 'unknown', detail: found.detail, previousOwner: orphan.owner } });
        report.needsAttention++;
      }
    }
    return report;
  };
}
