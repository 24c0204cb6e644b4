import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, ConnectorError, type Connector, type LookupResult } from '../../kernel/connector.js';
import { meetings } from '../../records/index.js';
import { clientById } from '../../records/index.js';
import type { ConnectorDeps } from '../../kernel/connector-deps.js';
import type { Mailer } from '../email/index.js';
import { calendarText, type IcsPerson } from './ics.js';
import { meetingEvent, type Meeting } from './event.js';
import type { CalDavCalendar } from './caldav.js';
import { first } from '../../core/rows.js';

export { calendarFeed } from './feed.js';
export { calendarText, foldLine, type IcsEvent } from './ics.js';
export { caldavCalendar, type CalDavCalendar, type CalDavSettings } from './caldav.js';

/** Derived from the booking's key, so the cancellation knows whether (and to whom) an invitation went out. */
const inviteKey = (bookingKey: string) => `${bookingKey}:invite`;
const cancelKey = (key: string) => `${key}:cancel`;

const when = (m: Meeting) => `${m.startsAt.toISOString().replace('T', ' ').slice(0, 16)} UTC, ${m.durationMinutes} min`;

/**
 * Meetings kept by Keel, published as an iCalendar feed; a client with an
 * email address gets the invitation (METHOD:REQUEST) and the cancellation
 * (METHOD:CANCEL) by email, each keyed so a retry sends it once. With a
 * CalDAV calendar (CALDAV_URL) each booking is also written there as one
 * object named by the meeting id, and removed when the meeting is cancelled.
 */
export function calendarConnector({ db, clock, ids }: ConnectorDeps, mailer: Mailer, organizer: IcsPerson, caldav?: CalDavCalendar): Connector {
  const byKey = (key: string) => first(db.select().from(meetings).where(eq(meetings.idempotencyKey, key)));
  const byId = (id: string) => first(db.select().from(meetings).where(eq(meetings.id, id)));
  const summary = (m: Meeting, invitedTo: string | null) => ({ meetingId: m.id, startsAt: m.startsAt.toISOString(), status: m.status, invitedTo });

  /** Mails the meeting's current state (invitation or cancellation) to the client, once per key. */
  async function notify(m: Meeting, key: string, to: { email: string; name: string }, method: 'REQUEST' | 'CANCEL', heartbeat: () => Promise<void>) {
    const cancelled = method === 'CANCEL';
    const event = meetingEvent(m, { organizer, attendee: { email: to.email, name: to.name } });
    await mailer.send({
      key,
      to: to.email,
      clientId: m.clientId,
      subject: `${cancelled ? 'Cancelled' : 'Invitation'}: ${m.title}`,
      text: `${cancelled ? 'This meeting is cancelled' : 'You are invited'}: ${m.title}\n${when(m)}\n`,
      calendar: { method, content: calendarText({ method, events: [event], stamp: clock.now() }) },
      heartbeat,
    });
  }

  /** Whether the CalDAV calendar agrees with the row; a server that cannot be asked makes the outcome unknown, not "not done". */
  async function caldavAgrees(m: Meeting): Promise<boolean | { status: 'unknown'; detail: string }> {
    if (!caldav) return true;
    try {
      return (await caldav.has(m.id)) === (m.status === 'booked');
    } catch (error) {
      return {
        status: 'unknown',
        detail: `Could not ask the calendar server about meeting ${m.id}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  /**
   * Both steps of a calendar operation are idempotent (the row by key, the
   * mail by its own key), so a half-done run is safe to run again: only a mail
   * whose hand-over was interrupted makes the outcome unknown.
   */
  async function settled(mailKey: string, rowDone: boolean, mailDue: boolean, result: (mailedTo: string | null) => unknown): Promise<LookupResult> {
    if (!rowDone) return { status: 'not_done' };
    const mail = await mailer.state(mailKey);
    if (mail.status === 'unknown') return mail;
    if (mail.status === 'not_sent' && mailDue) return { status: 'not_done' };
    return { status: 'done', result: result(mail.status === 'sent' ? mail.email.to : null) };
  }

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
      const meeting = (await byKey(ctx.idempotencyKey))!;
      const cancelRow = () => db.update(meetings).set({ status: 'cancelled' }).where(eq(meetings.id, meeting.id));
      if (caldav) {
        try {
          // A process stopped past its lease stops here, before it writes to the calendar what the new owner may have written.
          await ctx.heartbeat();
          await caldav.put(meeting.id, calendarText({ events: [meetingEvent(meeting, { organizer })], stamp: clock.now() }));
        } catch (error) {
          // A calendar that refuses the event (not one that is briefly down) ends the booking before any invitation goes out.
          if (error instanceof ConnectorError && !error.retryable) await cancelRow();
          throw error;
        }
      }
      const client = await clientById(db, meeting.clientId);
      if (!client?.email) return summary(meeting, null);
      try {
        await notify(meeting, inviteKey(ctx.idempotencyKey), { email: client.email, name: client.contactName ?? client.name }, 'REQUEST', ctx.heartbeat);
      } catch (error) {
        // A refused invitation must not leave a meeting the client never heard of in the feed.
        if (error instanceof ConnectorError && !error.retryable) {
          await cancelRow();
          await caldav?.remove(meeting.id);
        }
        throw error;
      }
      return summary(meeting, client.email);
    },
    async lookup(key) {
      const meeting = await byKey(key);
      const agrees = meeting ? await caldavAgrees(meeting) : true;
      if (agrees !== true) return agrees === false ? { status: 'not_done' } : agrees;
      const client = meeting && (await clientById(db, meeting.clientId));
      return settled(inviteKey(key), Boolean(meeting), Boolean(client?.email), (invitedTo) => summary(meeting!, invitedTo));
    },
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
    async run({ meetingId }, ctx) {
      const meeting = await byId(meetingId);
      if (!meeting) throw new ConnectorError(`There is no meeting ${meetingId}.`, { retryable: false });
      await ctx.heartbeat();
      await db.update(meetings).set({ status: 'cancelled' }).where(eq(meetings.id, meetingId));
      await caldav?.remove(meetingId);
      const cancelled = { ...meeting, status: 'cancelled' as const };
      // Only someone who was sent the invitation is sent the cancellation, at the address the invitation went to.
      const invite = await mailer.state(inviteKey(meeting.idempotencyKey));
      if (invite.status !== 'sent') return summary(cancelled, null);
      const client = await clientById(db, meeting.clientId);
      await notify(
        cancelled,
        cancelKey(ctx.idempotencyKey),
        { email: invite.email.to, name: client?.contactName ?? client?.name ?? invite.email.to },
        'CANCEL',
        ctx.heartbeat,
      );
      return summary(cancelled, invite.email.to);
    },
    async lookup(key, { meetingId }) {
      const meeting = await byId(meetingId);
      const agrees = meeting?.status === 'cancelled' ? await caldavAgrees(meeting) : true;
      if (agrees !== true) return agrees === false ? { status: 'not_done' } : agrees;
      const invite = meeting && (await mailer.state(inviteKey(meeting.idempotencyKey)));
      const invited = invite?.status === 'sent' ? invite.email.to : null;
      return settled(cancelKey(key), meeting?.status === 'cancelled', invited !== null, (notified) => summary(meeting!, notified));
    },
    compensation: { kind: 'irreversible', note: 'book the meeting again' },
  });

  return { name: 'calendar', operations: [book, cancel] };
}
