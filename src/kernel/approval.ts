import { and, eq, gte } from 'drizzle-orm';
import type { Clock } from '../core/clock.js';
import type { Audit } from './audit.js';
import type { Action, Ledger } from './ledger.js';
import { actions } from './tables.js';

export type Decision = { ref: string; decision: 'approve' | 'reject'; by: string };
export type DecisionOutcome =
  | { outcome: 'decided'; action: Action }
  /** `action.decidedBy`, `decidedAt` and `state` say who decided, when, and what. */
  | { outcome: 'already_decided'; action: Action }
  | { outcome: 'expired'; action: Action }
  /** An edit replaced the card; the action it became is proposed under another key. */
  | { outcome: 'superseded'; action: Action }
  | { outcome: 'not_found' };

/**
 * Operator decisions on approval cards. A decision is one conditional UPDATE
 * on the card's reference while it is still awaiting approval and not past its
 * expiry, so the first tap wins whichever transport it came from.
 */
export function createApprovals(deps: { ledger: Ledger; audit: Audit; clock: Clock }) {
  const { ledger, audit, clock } = deps;

  async function expire(action: Action, detail: Record<string, unknown>): Promise<Action | undefined> {
    const expired = await ledger.transition(action.id, 'awaiting_approval', { state: 'expired' });
    if (expired) {
      await audit({
        actor: 'system',
        event: 'expired',
        actionId: expired.id,
        operation: expired.operation,
        detail: { expiresAt: expired.expiresAt?.toISOString(), ...detail },
      });
    }
    return expired;
  }

  async function decide({ ref, decision, by }: Decision): Promise<DecisionOutcome> {
    const now = clock.now();
    const decided = await ledger.updateWhere(and(eq(actions.cardRef, ref), eq(actions.state, 'awaiting_approval'), gte(actions.expiresAt, now)), {
      state: decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: by,
      decidedAt: now,
    });
    if (decided) {
      await audit({
        actor: by,
        event: decided.state,
        actionId: decided.id,
        operation: decided.operation,
        reason: decided.reason,
        evidence: decided.evidence,
      });
      return { outcome: 'decided', action: decided };
    }

    const current = await ledger.byRef(ref);
    if (!current) return { outcome: 'not_found' };
    if (current.state === 'awaiting_approval') {
      // Still awaiting means the update was refused for being past expiry.
      const expired = await expire(current, { attemptedBy: by });
      return expired ? { outcome: 'expired', action: expired } : decide({ ref, decision, by });
    }
    if (current.state === 'expired') return { outcome: 'expired', action: current };
    if (current.state === 'superseded') return { outcome: 'superseded', action: current };
    return { outcome: 'already_decided', action: current };
  }

  async function expireDue(): Promise<Action[]> {
    const due = await ledger.list({ states: ['awaiting_approval'], expiresBefore: clock.now() });
    const expired: Action[] = [];
    for (const action of due) {
      const done = await expire(action, {});
      if (done) expired.push(done);
    }
    return expired;
  }

  return { decide, expireDue };
}
