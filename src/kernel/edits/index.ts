import { and, eq, gte } from 'drizzle-orm';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../storage/index.js';
import type { Audit } from '../audit.js';
import type { Action, Ledger } from '../ledger.js';
import { actions } from '../tables.js';
import { actionEdits } from './tables.js';

export { actionEdits };
export type ActionEdit = typeof actionEdits.$inferSelect;

export interface SupersedeRequest {
  actionId: string;
  /** Idempotency key the edited action is proposed under; a re-run of the same edit finds it again. */
  replacedByKey: string;
  by: string;
  instruction: string;
  edited: unknown;
}

/** An open card a rewind went back before, withdrawn without a replacement. */
export interface WithdrawRequest {
  actionId: string;
  /** The operator who rewound. */
  by: string;
  /** The checkpoint the conversation went back to. */
  checkpoint: string;
  reason: string;
}

/** What an edit row's `replacedByKey` starts with when no card replaced it: a rewind withdrew it. */
export const WITHDRAWN = 'withdrawn-by-rewind:';

export type SupersedeOutcome =
  | { outcome: 'superseded'; action: Action; edit: ActionEdit }
  /** The card was already decided, expired, or replaced by a different edit: nothing changed. */
  | { outcome: 'not_open'; action: Action; edit?: ActionEdit };

/**
 * Edits of approval cards. The old card leaves `awaiting_approval` with one
 * conditional update (an edit and a tap race like two taps: one wins), and the
 * edit is recorded — original input, edited input, the operator's words, who —
 * before the edited action is proposed under its own key.
 */
export function createEdits(deps: { db: Db; ledger: Ledger; audit: Audit; clock: Clock }) {
  const { db, ledger, audit, clock } = deps;
  const editOf = async (actionId: string) => (await db.select().from(actionEdits).where(eq(actionEdits.actionId, actionId)))[0];

  async function supersede(req: SupersedeRequest): Promise<SupersedeOutcome> {
    const now = clock.now();
    const current = await ledger.require(req.actionId);
    if (current.state === 'superseded') {
      const edit = await editOf(current.id);
      // The same edit again (a node re-run after a crash) carries on; another edit of a replaced card does not.
      return edit?.replacedByKey === req.replacedByKey ? { outcome: 'superseded', action: current, edit } : { outcome: 'not_open', action: current, edit };
    }
    const replaced = await ledger.updateWhere(and(eq(actions.id, req.actionId), eq(actions.state, 'awaiting_approval'), gte(actions.expiresAt, now)), {
      state: 'superseded',
      decidedBy: req.by,
      decidedAt: now,
    });
    if (!replaced) return { outcome: 'not_open', action: await ledger.require(req.actionId) };
    const row = {
      actionId: replaced.id,
      replacedByKey: req.replacedByKey,
      by: req.by,
      instruction: req.instruction,
      original: replaced.input,
      edited: req.edited,
      at: now,
    };
    await db.insert(actionEdits).values(row).onConflictDoNothing();
    await audit({
      actor: req.by,
      event: 'edited',
      actionId: replaced.id,
      operation: replaced.operation,
      reason: req.instruction,
      evidence: replaced.evidence,
      detail: { original: replaced.input, edited: req.edited, replacedByKey: req.replacedByKey },
    });
    return { outcome: 'superseded', action: replaced, edit: (await editOf(replaced.id))! };
  }

  /**
   * Withdraws an open card that a rewind went back before: it leaves `awaiting_approval` the way an edit
   * replaces it (one conditional update, so a tap racing it is one or the other), with no new card. Its
   * buttons then answer that it was withdrawn; the edit row keeps why, and the audit says who.
   */
  async function withdraw(req: WithdrawRequest): Promise<Action | undefined> {
    const now = clock.now();
    const by = `rewind:${req.by}`;
    const withdrawn = await ledger.updateWhere(and(eq(actions.id, req.actionId), eq(actions.state, 'awaiting_approval')), {
      state: 'superseded',
      decidedBy: by,
      decidedAt: now,
    });
    if (!withdrawn) return undefined;
    await db
      .insert(actionEdits)
      .values({
        actionId: withdrawn.id,
        replacedByKey: `${WITHDRAWN}${req.checkpoint}`,
        by,
        instruction: req.reason,
        original: withdrawn.input,
        edited: {},
        at: now,
      })
      .onConflictDoNothing();
    await audit({
      actor: req.by,
      event: 'withdrawn',
      actionId: withdrawn.id,
      operation: withdrawn.operation,
      reason: req.reason,
      evidence: withdrawn.evidence,
      detail: { checkpoint: req.checkpoint },
    });
    return withdrawn;
  }

  return { supersede, editOf, withdraw };
}
