import type { LookupResult } from './connector.js';
import type { Audit } from './audit.js';
import { errorMessage } from './errors.js';
import type { Action, Ledger } from './ledger.js';
import type { Registry } from './registry.js';
import type { Runner } from './run.js';

export interface ReconcileReport {
  reconciled: number;
  needsAttention: number;
  rerun: number;
  /** Decision audit entries written from the ledger because a crash had kept them out. */
  restoredEntries: number;
}

/**
 * Settles actions a crash left `running`, by asking the outside system whether
 * the idempotency key took effect. Only a definite "not done" is run again; a
 * doubt goes to the operator as needs_attention, because repeating an effect
 * that may have happened (a second invoice, a second email) is worse than asking.
 * Call it once at start, before this process runs anything: any `running` row
 * is then an orphan of a previous process. It also completes the audit trail of
 * decisions recorded just before a crash.
 */
export function createReconciler(deps: { ledger: Ledger; audit: Audit; registry: Registry; runner: Runner }) {
  const { ledger, audit, registry, runner } = deps;

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
    const missing = await ledger.decidedWithoutAudit();
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
    for (const action of await ledger.list({ states: ['running'] })) {
      const found = await ask(action);
      const entry = { actor: 'system', actionId: action.id, operation: action.operation };
      if (found.status === 'done') {
        const settled = await runner.succeed(action, found.result, 'reconciled');
        if (settled.state === 'succeeded') report.reconciled++;
      } else if (found.status === 'not_done') {
        const approved = await ledger.transition(action.id, 'running', { state: 'approved' });
        if (!approved) continue;
        await audit({ ...entry, event: 'rerun', detail: { lookup: 'not_done', attempts: approved.attempts } });
        await runner.advance(approved);
        report.rerun++;
      } else {
        const parked = await ledger.transition(action.id, 'running', { state: 'needs_attention', error: found.detail });
        if (!parked) continue;
        await audit({ ...entry, event: 'needs_attention', detail: { lookup: 'unknown', detail: found.detail } });
        report.needsAttention++;
      }
    }
    return report;
  };
}
