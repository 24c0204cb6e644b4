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
}

/**
 * Settles actions a crash left `running`, by asking the outside system whether
 * the idempotency key took effect. Only a definite "not done" is run again; a
 * doubt goes to the operator as needs_attention, because repeating an effect
 * that may have happened (a second invoice, a second email) is worse than asking.
 * Call it once at start, before this process runs anything: any `running` row
 * is then an orphan of a previous process.
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

  return async function reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { reconciled: 0, needsAttention: 0, rerun: 0 };
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
