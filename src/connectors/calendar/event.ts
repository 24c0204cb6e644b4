import type { meetings } from '../../records/index.js';
import type { IcsEvent, IcsPerson } from './ics.js';

export type Meeting = typeof meetings.$inferSelect;

/**
 * A meeting as an iCalendar event. The UID comes from the meeting id so every
 * invitation, cancellation and feed entry names the same event; a meeting is
 * only ever booked and then possibly cancelled, so the cancellation is
 * sequence 1 and supersedes the invitation (sequence 0).
 */
export const meetingEvent = (m: Meeting, opts: { summary?: string; organizer?: IcsPerson; attendee?: IcsPerson } = {}): IcsEvent => ({
  uid: `${m.id}@keel`,
  sequence: m.status === 'cancelled' ? 1 : 0,
  status: m.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
  start: m.startsAt,
  durationMinutes: m.durationMinutes,
  summary: opts.summary ?? m.title,
  organizer: opts.organizer,
  attendees: opts.attendee ? [opts.attendee] : [],
});
