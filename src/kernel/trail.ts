import { asc, eq } from 'drizzle-orm';
import type { Db } from '../storage/index.js';
import { auditLog } from './tables.js';

export type AuditRow = typeof auditLog.$inferSelect;

/** An action's audit entries, oldest first: proposal, decision, each attempt and retry, outcome, compensation. */
export const readTrail = (db: Db) => (actionId: string): Promise<AuditRow[]> =>
  db.select().from(auditLog).where(eq(auditLog.actionId, actionId)).orderBy(asc(auditLog.id));
