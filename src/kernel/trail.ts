import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../storage/index.js';
import { auditLog } from './tables.js';

export type AuditRow = typeof auditLog.$inferSelect;

/** An action's audit entries, oldest first: proposal, decision, each attempt and retry, outcome, compensation. */
export const readTrail =
  (db: Db) =>
  (actionId: string): Promise<AuditRow[]> =>
    db.select().from(auditLog).where(eq(auditLog.actionId, actionId)).orderBy(asc(auditLog.id));

/** Audit entries that belong to no action — a refused request, a pause switched — newest first. */
export const readEvents =
  (db: Db) =>
  (opts: { events: string[]; limit: number }): Promise<AuditRow[]> =>
    db
      .select()
      .from(auditLog)
      .where(and(isNull(auditLog.actionId), inArray(auditLog.event, opts.events)))
      .orderBy(desc(auditLog.id))
      .limit(opts.limit);
