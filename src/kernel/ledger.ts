import { and, asc, desc, eq, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import type { Clock } from '../core/clock.js';
import type { Db } from '../storage/index.js';
import { ActionNotFound } from './errors.js';
import { actions, auditLog } from './tables.js';

export type Action = typeof actions.$inferSelect;
export type ActionState = Action['state'];
export type NewAction = typeof actions.$inferInsert;
export type ActionChanges = SQLiteUpdateSetSource<typeof actions>;
export interface ActionFilter {
  threadId?: string;
  /** Only actions proposed for these requests (see `actions.turn`). */
  turns?: string[];
  states?: ActionState[];
  agent?: string;
  /** Only actions whose input names this client (`clientId`). */
  clientId?: string;
  /** Only actions whose card expires before this instant. */
  expiresBefore?: Date;
  limit?: number;
  /** Oldest first (the default, as a queue reads) or newest first (as a log reads). */
  order?: 'oldest' | 'newest';
}

export interface Ledger {
  get(id: string): Promise<Action | undefined>;
  /** The action with this id; throws ActionNotFound when there is none. */
  require(id: string): Promise<Action>;
  /** The action recorded under an idempotency key, if any. */
  byKey(key: string): Promise<Action | undefined>;
  /** The action behind a card reference, if any. */
  byRef(ref: string): Promise<Action | undefined>;
  /** Actions matching every given filter field, oldest first unless `order: 'newest'`. */
  list(filter?: ActionFilter): Promise<Action[]>;
  /**
   * Decided actions (decided before the given instant) whose decision has no audit entry: the decision and its entry
   * are two writes, and a process killed between them leaves the ledger right and the trail one line short.
   */
  decidedWithoutAudit(decidedBefore: Date): Promise<Action[]>;
  /** Returns undefined when a row with the same key (or card ref) already exists. */
  insert(row: NewAction): Promise<Action | undefined>;
  /** Applies `changes` only where `condition` still holds; undefined means another writer got there first. */
  updateWhere(condition: SQL | undefined, changes: ActionChanges): Promise<Action | undefined>;
  /** Moves the action from state `from` with `changes`; undefined when it was no longer in `from` (a racing writer won). */
  transition(id: string, from: ActionState, changes: ActionChanges): Promise<Action | undefined>;
}

/**
 * Reads and writes of the action ledger. Every state change is a conditional
 * UPDATE … RETURNING, so of two racing writers exactly one sees a row back and
 * the other learns it lost.
 */
export function createLedger(db: Db, clock: Clock): Ledger {
  const first = (rows: Action[]) => rows[0];

  /** Applies `changes` only where `condition` still holds; undefined means another writer got there first. */
  const updateWhere = async (condition: SQL | undefined, changes: ActionChanges) =>
    first(
      await db
        .update(actions)
        .set({ ...changes, updatedAt: clock.now() })
        .where(condition)
        .returning(),
    );

  // Built once: a turn reads the ledger by id, key and card several times, and drizzle builds a select of every column afresh each call.
  const one = (column: typeof actions.id | typeof actions.idempotencyKey | typeof actions.cardRef) =>
    db
      .select()
      .from(actions)
      .where(eq(column, sql.placeholder('value')))
      .limit(1)
      .prepare();
  const byId = one(actions.id);
  const byKey = one(actions.idempotencyKey);
  const byRef = one(actions.cardRef);
  const get = async (id: string) => first(await byId.all({ value: id }));
  // A turn asks for its own actions (did this request already act? what did it do?) on every run.
  const ofTurn = db
    .select()
    .from(actions)
    .where(eq(actions.turn, sql.placeholder('turn')))
    .orderBy(asc(actions.createdAt), asc(actions.id))
    .limit(sql.placeholder('limit'))
    .prepare();
  const onlyTurn = (filter: ActionFilter): string | undefined => {
    const { turns, limit, order, ...rest } = filter;
    const narrowed = Object.values(rest).every((value) => value === undefined) && order !== 'newest';
    return narrowed && turns?.length === 1 ? turns[0] : undefined;
  };

  return {
    get,
    async require(id: string): Promise<Action> {
      const found = await get(id);
      if (!found) throw new ActionNotFound(id);
      return found;
    },
    byKey: async (key: string) => first(await byKey.all({ value: key })),
    byRef: async (ref: string) => first(await byRef.all({ value: ref })),

    list(filter: ActionFilter = {}): Promise<Action[]> {
      const turn = onlyTurn(filter);
      // SQLite reads a negative LIMIT as none.
      if (turn !== undefined) return ofTurn.all({ turn, limit: filter.limit ?? -1 });
      const conditions = [
        filter.threadId === undefined ? undefined : eq(actions.threadId, filter.threadId),
        filter.turns === undefined ? undefined : inArray(actions.turn, filter.turns),
        filter.states === undefined ? undefined : inArray(actions.state, filter.states),
        filter.agent === undefined ? undefined : eq(actions.agent, filter.agent),
        filter.clientId === undefined ? undefined : sql`json_extract(${actions.input}, '$.clientId') = ${filter.clientId}`,
        filter.expiresBefore === undefined ? undefined : lt(actions.expiresAt, filter.expiresBefore),
      ];
      const query = db
        .select()
        .from(actions)
        .where(and(...conditions))
        .orderBy(...(filter.order === 'newest' ? [desc(actions.createdAt), desc(actions.id)] : [asc(actions.createdAt), asc(actions.id)]));
      return filter.limit === undefined ? query : query.limit(filter.limit);
    },

    /**
     * Decided actions (decided before the given instant) whose decision has no audit entry: the decision and its entry
     * are two writes, and a process killed between them leaves the ledger right and the trail one line short.
     */
    decidedWithoutAudit: (decidedBefore: Date) =>
      db
        .select()
        .from(actions)
        .where(
          and(
            sql`${actions.decidedBy} IS NOT NULL`,
            lte(actions.decidedAt, decidedBefore),
            sql`${actions.state} <> 'superseded'`,
            sql`NOT EXISTS (SELECT 1 FROM ${auditLog} WHERE ${auditLog.actionId} = ${actions.id} AND ${auditLog.event} IN ('approved', 'rejected'))`,
          ),
        ),

    /** Returns undefined when a row with the same key (or card ref) already exists. */
    insert: async (row: NewAction) => first(await db.insert(actions).values(row).onConflictDoNothing().returning()),

    updateWhere,
    transition: (id: string, from: ActionState, changes: ActionChanges) => updateWhere(and(eq(actions.id, id), eq(actions.state, from)), changes),
  };
}
