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
  return async (entry) => {
    await db.insert(auditLog).values({ ...entry, at: clock.now() });
    logger.info(`audit ${entry.event}`, { actor: entry.actor, actionId: entry.actionId, operation: entry.operation });
  };
}
