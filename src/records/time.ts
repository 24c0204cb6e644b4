import { and, asc, eq, gte, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { ConnectorError, defineOperation, type Operation } from '../kernel/connector.js';
import { lookupGone, lookupRow, type ConnectorDeps } from '../kernel/connector-deps.js';
import type { Db } from '../storage/index.js';
import { first } from '../core/rows.js';
import { timeEntries } from './tables.js';

export type TimeEntry = typeof timeEntries.$inferSelect;

const isoDay = z.iso.date();

/** Time worked, written through the kernel like every record: keyed by the action's idempotency key, undoable while unbilled. */
export function timeOperations({ db, clock, ids }: ConnectorDeps): Operation[] {
  const byKey = (key: string) => first(db.select().from(timeEntries).where(eq(timeEntries.idempotencyKey, key)));
  const byId = (id: string) => first(db.select().from(timeEntries).where(eq(timeEntries.id, id)));

  const logTime = defineOperation({
    name: 'records.log_time',
    summary: 'log time worked',
    input: z.object({
      clientId: z.string(),
      projectId: z.string().optional(),
      description: z.string().trim().min(1),
      hoursCenti: z
        .number()
        .int()
        .positive()
        .max(24 * 100),
      workedOn: isoDay.describe("The operator's local day the work was done, YYYY-MM-DD."),
    }),
    leavesSystem: false,
    async run(input, ctx) {
      const existing = await byKey(ctx.idempotencyKey);
      if (existing) return { entryId: existing.id };
      const id = ids.id('time');
      await db.insert(timeEntries).values({ id, ...input, idempotencyKey: ctx.idempotencyKey, createdAt: clock.now() });
      return { entryId: id };
    },
    lookup: async (key) => lookupRow(await byKey(key), (e) => ({ entryId: e.id })),
    compensation: { kind: 'operation', operation: 'records.remove_time', input: (_i, r) => ({ entryId: (r as { entryId: string }).entryId }) },
  });

  const removeTime = defineOperation({
    name: 'records.remove_time',
    summary: 'remove a time entry',
    input: z.object({ entryId: z.string() }),
    leavesSystem: false,
    async run({ entryId }) {
      // Only while unbilled: an entry on an invoice is evidence of that invoice until the invoice is voided.
      const gone = await db
        .delete(timeEntries)
        .where(and(eq(timeEntries.id, entryId), isNull(timeEntries.invoiceId)))
        .returning();
      if (!gone.length && (await byId(entryId))) {
        throw new ConnectorError(`Time entry ${entryId} is billed on an invoice; void that invoice first.`, { retryable: false });
      }
      return { entryId };
    },
    lookup: async (_key, { entryId }) => lookupGone(await byId(entryId), () => ({ entryId })),
    compensation: { kind: 'irreversible', note: 'log the time again' },
  });

  return [logTime, removeTime];
}

/** A client's entries not on any live invoice, worked within [from, to] (local days, inclusive), oldest first. */
export const unbilledEntries = (db: Db, clientId: string, from: string, to: string): Promise<TimeEntry[]> =>
  db
    .select()
    .from(timeEntries)
    .where(and(eq(timeEntries.clientId, clientId), isNull(timeEntries.invoiceId), gte(timeEntries.workedOn, from), lte(timeEntries.workedOn, to)))
    .orderBy(asc(timeEntries.workedOn), asc(timeEntries.createdAt));

export const entriesByIds = (db: Db, entryIds: string[]): Promise<TimeEntry[]> =>
  entryIds.length ? db.select().from(timeEntries).where(inArray(timeEntries.id, entryIds)).orderBy(asc(timeEntries.workedOn)) : Promise.resolve([]);

/**
 * The statements that bill entries inside the invoice-numbering batch. `free` holds while every entry exists and none
 * is on a live invoice; the batch numbers the invoice only under it, and `claim` then points the entries at the
 * invoice the key wrote. Both run in one batch with the numbering, so an entry is billed exactly when its invoice exists.
 */
export function billingStatements(entryIds: string[], invoiceKey: string): { free: SQL; claim: SQL } {
  const list = sql.join(
    entryIds.map((id) => sql`${id}`),
    sql`, `,
  );
  return {
    free: sql`(SELECT count(*) FROM time_entries WHERE id IN (${list}) AND invoice_id IS NULL) = ${entryIds.length}`,
    claim: sql`UPDATE time_entries SET invoice_id = (SELECT id FROM invoices WHERE idempotency_key = ${invoiceKey})
               WHERE id IN (${list}) AND invoice_id IS NULL AND EXISTS (SELECT 1 FROM invoices WHERE idempotency_key = ${invoiceKey})`,
  };
}

/** Frees the entries of a voided invoice, in the void's batch: they can be billed again. */
export const releaseStatement = (invoiceNumber: string): SQL =>
  sql`UPDATE time_entries SET invoice_id = NULL
      WHERE invoice_id = (SELECT id FROM invoices WHERE number = ${invoiceNumber} AND status = 'void')`;
