import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, ConnectorError, type Connector } from '../kernel/connector.js';
import { meetings } from '../memory/tables.js';
import { lookupRow, type ConnectorDeps } from './context.js';

/** Meetings kept by Keel itself; booking invites a client, so it leaves the system and needs approval. */
export function calendarConnector({ db, ids }: ConnectorDeps): Connector {
  const byKey = async (key: string) => (await db.select().from(meetings).where(eq(meetings.idempotencyKey, key)))[0];
  const byId = async (id: string) => (await db.select().from(meetings).where(eq(meetings.id, id)))[0];
  const summary = (m: typeof meetings.$inferSelect) => ({ meetingId: m.id, startsAt: m.startsAt.toISOString(), status: m.status });

  const book = defineOperation({
    name: 'calendar.book',
    summary: 'book a meeting',
    input: z.object({
      clientId: z.string(),
      title: z.string().min(1),
      startsAt: z.string().datetime({ offset: true }),
      durationMinutes: z.number().int().positive().max(1440),
    }),
    leavesSystem: true,
    async run(input, ctx) {
      await db
        .insert(meetings)
        .values({
          id: ids.id('meet'),
          clientId: input.clientId,
          title: input.title,
          startsAt: new Date(input.startsAt),
          durationMinutes: input.durationMinutes,
          status: 'booked',
          idempotencyKey: ctx.idempotencyKey,
        })
        .onConflictDoNothing();
      return summary((await byKey(ctx.idempotencyKey))!);
    },
    lookup: async (key) => lookupRow(await byKey(key), summary),
    compensation: {
      kind: 'operation',
      operation: 'calendar.cancel',
      input: (_i, r) => ({ meetingId: (r as { meetingId: string }).meetingId }),
    },
  });

  const cancel = defineOperation({
    name: 'calendar.cancel',
    summary: 'cancel a meeting',
    input: z.object({ meetingId: z.string() }),
    leavesSystem: true,
    async run({ meetingId }) {
      const meeting = await byId(meetingId);
      if (!meeting) throw new ConnectorError(`There is no meeting ${meetingId}.`, { retryable: false });
      await db.update(meetings).set({ status: 'cancelled' }).where(eq(meetings.id, meetingId));
      return { ...summary(meeting), status: 'cancelled' };
    },
    async lookup(_key, { meetingId }) {
      const meeting = await byId(meetingId);
      return meeting?.status === 'cancelled' ? { status: 'done', result: summary(meeting) } : { status: 'not_done' };
    },
    compensation: { kind: 'irreversible', note: 'book the meeting again' },
  });

  return { name: 'calendar', operations: [book, cancel] };
}
