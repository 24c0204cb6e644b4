import { and, eq, gte, lt } from 'drizzle-orm';
import { html } from 'hono/html';
import { localDate, localInstant, startOfLocalDay } from '../../core/zoned-time.js';
import { cardFor } from '../../agents/index.js';
import { IdempotencyConflict } from '../../kernel/index.js';
import { clientById, meetings } from '../../records/index.js';
import type { ClientPagesDeps } from './deps.js';
import { clientPage, type Html } from './layout.js';
import type { ClientLink } from './links.js';
import { CLIENT_AGENT } from './policy.js';
import { bookingClaims } from './tables.js';

const MINUTE_MS = 60_000;

/** A time zone the browser named, if Intl knows it; otherwise the operator's. */
export function zoneOr(candidate: string | undefined, fallback: string): string {
  if (!candidate || candidate.length > 64) return fallback;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: candidate });
    return candidate;
  } catch {
    return fallback;
  }
}

/**
 * Free start times: the operator's working days and hours (in their zone) for the days ahead, one slot per
 * BOOKING_MINUTES plus the buffer, none starting within a buffer of now, and none within a buffer of a booked meeting.
 */
export async function freeSlots(deps: ClientPagesDeps): Promise<Date[]> {
  const { booking, timeZone, clock } = deps;
  const now = clock.now();
  const until = startOfLocalDay(now, timeZone, booking.daysAhead + 1);
  const buffer = booking.bufferMinutes * MINUTE_MS;
  const length = booking.minutes * MINUTE_MS;
  const busy = (
    await deps.db
      .select()
      .from(meetings)
      .where(and(eq(meetings.status, 'booked'), gte(meetings.startsAt, new Date(now.getTime() - 24 * 60 * MINUTE_MS)), lt(meetings.startsAt, until)))
  )
    .map((m) => ({ start: m.startsAt, end: new Date(m.startsAt.getTime() + m.durationMinutes * MINUTE_MS) }))
    .concat(deps.busy ? await deps.busy(now, until) : [])
    .concat(await heldClaims(deps, now, until))
    .map((span) => ({ start: span.start.getTime() - buffer, end: span.end.getTime() + buffer }));
  const slots: Date[] = [];
  for (let d = 0; d <= booking.daysAhead; d++) {
    const day = localDate(startOfLocalDay(now, timeZone, d), timeZone);
    const [y, m, dd] = day.split('-').map(Number) as [number, number, number];
    if (!booking.weekdays.includes(new Date(Date.UTC(y, m - 1, dd)).getUTCDay())) continue;
    const end = localInstant(day, booking.end, timeZone).getTime();
    for (let start = localInstant(day, booking.start, timeZone).getTime(); start + length <= end; start += length + buffer) {
      if (start < now.getTime() + buffer) continue;
      if (busy.some((b) => start < b.end && start + length > b.start)) continue;
      slots.push(new Date(start));
    }
  }
  return slots;
}

const bookingKey = (link: ClientLink, start: Date) => `client-page:booking:${link.id}:${start.toISOString()}`;

export type BookingOutcome =
  | { status: 'booked'; start: Date }
  | { status: 'requested'; start: Date }
  | { status: 'taken' }
  | { status: 'paused' }
  | { status: 'failed'; why: string };

/**
 * Books one slot through the kernel, once. The slot is claimed first with one INSERT (its start is the key), so of
 * two clients racing for it one books and the other hears it was just taken; the same client sending the form again
 * finds its own claim and gets its one booking back. A claim whose booking failed or was cancelled is free again.
 */
export async function bookSlot(deps: ClientPagesDeps, link: ClientLink, start: Date): Promise<BookingOutcome> {
  if (link.pausedAt) return { status: 'paused' };
  const key = bookingKey(link, start);
  const claimOf = async () => (await deps.db.select().from(bookingClaims).where(eq(bookingClaims.startsAt, start)))[0];
  let claim = await claimOf();
  if (claim?.actionKey !== key) {
    const free = (await freeSlots(deps)).some((slot) => slot.getTime() === start.getTime());
    if (!free) return { status: 'taken' };
    if (claim && !(await claimLapsed(deps, claim.actionKey))) return { status: 'taken' };
    if (claim) {
      await deps.db
        .update(bookingClaims)
        .set({ linkId: link.id, actionKey: key, claimedAt: deps.clock.now() })
        .where(and(eq(bookingClaims.startsAt, start), eq(bookingClaims.actionKey, claim.actionKey)));
    } else {
      await deps.db.insert(bookingClaims).values({ startsAt: start, linkId: link.id, actionKey: key, claimedAt: deps.clock.now() }).onConflictDoNothing();
    }
    claim = await claimOf();
    if (claim?.actionKey !== key) return { status: 'taken' };
  }
  const client = await clientById(deps.db, link.clientId);
  const action = await deps.kernel.execute({
    operation: 'calendar.book',
    input: {
      clientId: link.clientId,
      title: `Call: ${client?.name ?? 'client'} and ${deps.business}`,
      startsAt: start.toISOString(),
      durationMinutes: deps.booking.minutes,
    },
    idempotencyKey: key,
    agent: CLIENT_AGENT,
    reason: 'The client booked this time on their booking page.',
    evidence: [link.id],
  });
  const waiting = action.state === 'awaiting_approval';
  // The same client's other request (a double click) is running this very booking: it finishes it and tells the operator.
  if (action.state === 'approved' || action.state === 'running') return { status: 'booked', start };
  if (action.state !== 'succeeded' && !waiting) return { status: 'failed', why: action.error ?? action.state };
  const when = new Intl.DateTimeFormat('en-GB', { timeZone: deps.timeZone, dateStyle: 'full', timeStyle: 'short' }).format(start);
  const who = client?.name ?? 'A client';
  const messages = waiting
    ? [
        { kind: 'text' as const, text: `${who} asks for a call on ${when} (${deps.timeZone}) from their booking page; the time is held until you decide.` },
        { kind: 'card' as const, card: await cardFor(deps.db, action, deps.kernel.operation(action.operation), deps.timeZone) },
      ]
    : [{ kind: 'text' as const, text: `${who} booked a call on ${when} (${deps.timeZone}) from their booking page.` }];
  try {
    await deps.kernel.execute({
      operation: 'operator.notify',
      input: { kind: 'client', messages },
      idempotencyKey: `${key}:notice`,
      agent: CLIENT_AGENT,
      reason: 'A client booked a call on their booking page.',
      evidence: [link.id, action.id],
    });
  } catch (error) {
    if (!(error instanceof IdempotencyConflict)) throw error;
  }
  return { status: waiting ? 'requested' : 'booked', start };
}

/** Times claimed by a booking still on its way (waiting on its card, or running): held for that client, offered to no one else. */
async function heldClaims(deps: ClientPagesDeps, from: Date, until: Date): Promise<{ start: Date; end: Date }[]> {
  const claims = await deps.db
    .select()
    .from(bookingClaims)
    .where(and(gte(bookingClaims.startsAt, from), lt(bookingClaims.startsAt, until)));
  const held: { start: Date; end: Date }[] = [];
  for (const claim of claims) {
    const action = await deps.kernel.byKey(claim.actionKey);
    if (action && ['awaiting_approval', 'approved', 'running'].includes(action.state)) {
      held.push({ start: claim.startsAt, end: new Date(claim.startsAt.getTime() + deps.booking.minutes * MINUTE_MS) });
    }
  }
  return held;
}

/** A claim whose booking never happened or was cancelled since. */
async function claimLapsed(deps: ClientPagesDeps, actionKey: string): Promise<boolean> {
  const action = await deps.kernel.byKey(actionKey);
  if (action && ['failed', 'rejected', 'expired', 'compensated'].includes(action.state)) return true;
  const [meeting] = await deps.db.select().from(meetings).where(eq(meetings.idempotencyKey, actionKey));
  return meeting?.status === 'cancelled';
}

export async function bookingPage(
  deps: ClientPagesDeps,
  view: { link: ClientLink; zone: string; formToken: string; action: string; notice?: { text: string; tone: 'ok' | 'no' } },
): Promise<Html> {
  const client = await clientById(deps.db, view.link.clientId);
  const slots = view.link.pausedAt ? [] : await freeSlots(deps);
  const dayOf = new Intl.DateTimeFormat('en-GB', { timeZone: view.zone, weekday: 'long', day: 'numeric', month: 'long' });
  const timeOf = new Intl.DateTimeFormat('en-GB', { timeZone: view.zone, hour: '2-digit', minute: '2-digit' });
  const days = new Map<string, Date[]>();
  for (const slot of slots) days.set(dayOf.format(slot), [...(days.get(dayOf.format(slot)) ?? []), slot]);
  // The browser's zone, once: the page is rendered on the server, so it asks to be shown again in the visitor's time.
  const script = `(function(){var z=Intl.DateTimeFormat().resolvedOptions().timeZone;var u=new URL(location.href);if(z&&u.searchParams.get('tz')!==z){u.searchParams.set('tz',z);location.replace(u.toString());}})();`;
  return clientPage(
    { title: `Book a call with ${deps.business}`, business: deps.business, script },
    html`${view.notice ? html`<div class="state ${view.notice.tone}" role="status">${view.notice.text}</div>` : ''}
      <h1>Book a call with ${deps.business}</h1>
      <p class="muted">For ${client?.name ?? ''} · ${deps.booking.minutes} minutes · times shown in ${view.zone}</p>
      ${
        view.link.pausedAt
          ? html`<div class="state info" role="status">Booking is paused for now. Please contact ${deps.business} directly.</div>`
          : days.size === 0
            ? html`<p>No free times in the next ${deps.booking.daysAhead} days.</p>`
            : [...days].map(
                ([label, times]) => html`<div class="card"><h2>${label}</h2>
                  <form method="post" action="${view.action}">
                    <input type="hidden" name="form" value="${view.formToken}">
                    <input type="hidden" name="tz" value="${view.zone}">
                    <div class="slots">${times.map((t) => html`<button type="submit" name="start" value="${t.toISOString()}">${timeOf.format(t)}</button>`)}</div>
                  </form></div>`,
              )
      }`,
  );
}
