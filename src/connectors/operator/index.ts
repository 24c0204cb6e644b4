import { and, eq, gte, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, type Connector, type LookupResult, type OperationContext } from '../../kernel/connector.js';
import { outbound, type Outbound } from '../../chat/index.js';
import type { ConnectorDeps } from '../../kernel/connector-deps.js';
import type { Db } from '../../storage/index.js';
import { operatorNotices, reminders } from './tables.js';
import { first } from '../../core/rows.js';

export { operatorNotices, reminders };

/** Reminders fired since `firedSince` or still pending and due before `dueBefore`: the digest's follow-ups. */
export const followUpReminders = (db: Db, firedSince: Date, dueBefore: Date) =>
  db
    .select()
    .from(reminders)
    .where(or(and(eq(reminders.status, 'fired'), gte(reminders.firedAt, firedSince)), and(eq(reminders.status, 'pending'), lt(reminders.dueAt, dueBefore))));

/**
 * The operator's own messaging apps, as a destination for what Keel sends
 * unasked (the daily digest, reminders it set). Messages to the operator need no
 * approval, and are undone by a correction. A row is written before delivery and
 * completed after, so a crash in between is reported as unknown, not resent blindly.
 */
export function operatorConnector(deps: ConnectorDeps & { deliver(kind: string, messages: Outbound[]): Promise<void> }): Connector {
  const { db, clock } = deps;
  const byKey = (key: string) => first(db.select().from(operatorNotices).where(eq(operatorNotices.idempotencyKey, key)));

  const send = async (ctx: OperationContext, kind: string, messages: Outbound[]) => {
    const key = ctx.idempotencyKey;
    await db.insert(operatorNotices).values({ idempotencyKey: key, kind, startedAt: clock.now() }).onConflictDoNothing();
    // A process that was stopped past its lease, and whose send another process took over, stops here rather than send twice.
    await ctx.heartbeat();
    await deps.deliver(kind, messages);
    await db.update(operatorNotices).set({ deliveredAt: clock.now() }).where(eq(operatorNotices.idempotencyKey, key));
  };
  const delivery = async (key: string): Promise<LookupResult> => {
    const row = await byKey(key);
    if (!row) return { status: 'not_done' };
    return row.deliveredAt
      ? { status: 'done', result: { delivered: true } }
      : { status: 'unknown', detail: 'Delivery started but did not finish before the process stopped.' };
  };

  const notify = defineOperation({
    name: 'operator.notify',
    summary: 'message you',
    input: z.object({ kind: z.string().min(1), messages: z.array(outbound).min(1) }),
    leavesSystem: false,
    async run(input, ctx) {
      await send(ctx, input.kind, input.messages);
      return { delivered: input.messages.length };
    },
    lookup: async (key) => delivery(key),
    // A message cannot be unsent; undoing it means telling the operator to disregard it.
    compensation: {
      kind: 'operation',
      operation: 'operator.notify',
      input: (original) => ({
        kind: 'correction',
        messages: [{ kind: 'text', text: `Please disregard the earlier ${original.kind} message; it was sent in error.` }],
      }),
    },
  });

  const reminderByKey = (key: string) => first(db.select().from(reminders).where(eq(reminders.idempotencyKey, key)));
  const scheduleReminder = defineOperation({
    name: 'operator.schedule_reminder',
    summary: 'set a reminder',
    input: z.object({ text: z.string().min(1), dueAt: z.string().datetime({ offset: true }), clientId: z.string().optional() }),
    leavesSystem: false,
    async run(input, ctx) {
      await db
        .insert(reminders)
        .values({
          id: deps.ids.id('rem'),
          idempotencyKey: ctx.idempotencyKey,
          clientId: input.clientId,
          text: input.text,
          dueAt: new Date(input.dueAt),
          status: 'pending',
          createdAt: clock.now(),
        })
        .onConflictDoNothing();
      const row = (await reminderByKey(ctx.idempotencyKey))!;
      return { reminderId: row.id, dueAt: row.dueAt.toISOString() };
    },
    async lookup(key) {
      const row = await reminderByKey(key);
      return row ? { status: 'done', result: { reminderId: row.id, dueAt: row.dueAt.toISOString() } } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'operator.cancel_reminder', input: (_i, r) => ({ reminderId: (r as { reminderId: string }).reminderId }) },
  });

  const cancelReminder = defineOperation({
    name: 'operator.cancel_reminder',
    summary: 'cancel a reminder',
    input: z.object({ reminderId: z.string() }),
    leavesSystem: false,
    async run({ reminderId }) {
      await db
        .update(reminders)
        .set({ status: 'cancelled' })
        .where(and(eq(reminders.id, reminderId), eq(reminders.status, 'pending')));
      return { reminderId };
    },
    async lookup(_key, { reminderId }) {
      const row = await first(db.select().from(reminders).where(eq(reminders.id, reminderId)));
      return row?.status === 'pending' ? { status: 'not_done' } : { status: 'done', result: { reminderId } };
    },
    compensation: { kind: 'irreversible', note: 'set the reminder again' },
  });

  const fireReminder = defineOperation({
    name: 'operator.fire_reminder',
    summary: 'remind you',
    input: z.object({ reminderId: z.string(), messages: z.array(outbound).min(1) }),
    leavesSystem: false,
    async run({ reminderId, messages }, ctx) {
      await send(ctx, 'reminder', messages);
      await db
        .update(reminders)
        .set({ status: 'fired', firedAt: clock.now() })
        .where(and(eq(reminders.id, reminderId), eq(reminders.status, 'pending')));
      return { reminderId };
    },
    lookup: async (key) => delivery(key),
    compensation: {
      kind: 'operation',
      operation: 'operator.notify',
      input: () => ({ kind: 'correction', messages: [{ kind: 'text', text: 'Please disregard the earlier reminder; it was sent in error.' }] }),
    },
  });

  return { name: 'operator', operations: [notify, scheduleReminder, cancelReminder, fireReminder] };
}
