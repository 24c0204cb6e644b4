import { and, eq, gte, inArray, like, lt } from 'drizzle-orm';
import type { Db } from '../storage/index.js';
import { actions } from './tables.js';
import type { Action } from './ledger.js';

/*
 * Read-only questions about the ledger that the jobs ask beyond `Kernel.list`, each one query;
 * other folders ask these instead of selecting from the kernel's tables.
 */

/** Actions that succeeded in [from, to), by their last change: the digest's "Done yesterday". */
export const succeededBetween = (db: Db, from: Date, to: Date): Promise<Action[]> =>
  db
    .select()
    .from(actions)
    .where(and(eq(actions.state, 'succeeded'), gte(actions.updatedAt, from), lt(actions.updatedAt, to)));

/** Actions proposed in [from, to) that a standing rule approved in the operator's place. */
export const approvedByRuleBetween = (db: Db, from: Date, to: Date): Promise<Action[]> =>
  db
    .select()
    .from(actions)
    .where(and(like(actions.decidedBy, 'rule:%'), gte(actions.createdAt, from), lt(actions.createdAt, to)));

/** Which of these idempotency keys the ledger already holds. */
export async function recordedKeys(db: Db, keys: string[]): Promise<Set<string>> {
  return new Set((await db.select({ key: actions.idempotencyKey }).from(actions).where(inArray(actions.idempotencyKey, keys))).map((r) => r.key));
}
