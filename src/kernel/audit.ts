import { sql } from 'drizzle-orm';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../storage/index.js';
import { auditLog } from './tables.js';

export type AuditEntry = Omit<typeof auditLog.$inferInsert, 'id' | 'at'>;
export type Audit = (entry: AuditEntry) => Promise<void>;

/**
 * Appends to the audit trail (the table refuses UPDATE and DELETE). The log
 * line carries ids only: reasons, inputs and details may quote client data.
 */
export function createAudit(db: Db, clock: Clock, logger: Logger): Audit {
  // Every column a placeholder, so the statement is built once for every entry (a missing field is NULL).
  const insert = db
    .insert(auditLog)
    .values({
      at: sql.placeholder('at'),
      actor: sql.placeholder('actor'),
      event: sql.placeholder('event'),
      actionId: sql.placeholder('actionId'),
      operation: sql.placeholder('operation'),
      reason: sql.placeholder('reason'),
      // Raw, not the columns' JSON mapping, which would store an absent value as the text 'null'.
      evidence: sql`${sql.placeholder('evidence')}`,
      detail: sql`${sql.placeholder('detail')}`,
    })
    .prepare();
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  return async (entry) => {
    const { actionId = null, operation = null, reason = null } = entry;
    await insert.run({ ...entry, actionId, operation, reason, evidence: json(entry.evidence), detail: json(entry.detail), at: clock.now() });
    logger.info(`audit ${entry.event}`, { actor: entry.actor, actionId: entry.actionId, operation: entry.operation });
  };
}
