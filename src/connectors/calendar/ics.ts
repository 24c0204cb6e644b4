/**
 * A small RFC 5545 writer: enough for Keel's meetings, written by hand so it
 * has no dependencies and runs on Workers too. Times are always UTC (the
 * trailing Z), so no VTIMEZONE is needed.
 */
export interface IcsPerson {
  email: string;
  name?: string | undefined;
}

export interface IcsEvent {
  uid: string;
  /** Bumped on every change sent to attendees; a higher one supersedes the last. */
  sequence: number;
  status: 'CONFIRMED' | 'CANCELLED';
  start: Date;
  durationMinutes: number;
  summary: string;
  description?: string | undefined;
  organizer?: IcsPerson | undefined;
  attendees?: IcsPerson[];
}

/** yyyymmddThhmmssZ */
export const icsDate = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** TEXT values escape backslash, semicolon, comma and line breaks (§3.3.11). */
export const escapeText = (text: string) =>
  text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');

/** Parameter values cannot hold DQUOTE; quote them when they hold ':', ';' or ',' (§3.2). */
const paramValue = (value: string) => {
  const clean = value.replace(/["\r\n]/g, '');
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
};

const encoder = new TextEncoder();

/** Folds a content line at 75 octets without splitting a UTF-8 character (§3.1). */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    // Continuation lines start with a space, which counts towards their 75 octets.
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const person = (role: 'ORGANIZER' | 'ATTENDEE', p: IcsPerson, extra = '') => `${role}${p.name ? `;CN=${paramValue(p.name)}` : ''}${extra}:mailto:${p.email}`;

function eventLines(e: IcsEvent, stamp: Date): string[] {
  return [
    'BEGIN:VEVENT',
    `UID:${e.uid}`,
    `DTSTAMP:${icsDate(stamp)}`,
    `SEQUENCE:${e.sequence}`,
    `STATUS:${e.status}`,
    `DTSTART:${icsDate(e.start)}`,
    `DTEND:${icsDate(new Date(e.start.getTime() + e.durationMinutes * 60_000))}`,
    `SUMMARY:${escapeText(e.summary)}`,
    ...(e.description ? [`DESCRIPTION:${escapeText(e.description)}`] : []),
    ...(e.organizer ? [person('ORGANIZER', e.organizer)] : []),
    ...(e.attendees ?? []).map((a) => person('ATTENDEE', a, ';ROLE=REQ-PARTICIPANT;RSVP=TRUE')),
    'END:VEVENT',
  ];
}

/** A whole VCALENDAR object; `method` makes it an iTIP message (REQUEST, CANCEL), none a published feed. */
export function calendarText(opts: { events: IcsEvent[]; stamp: Date; method?: 'REQUEST' | 'CANCEL' | 'PUBLISH'; name?: string }): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Keel//Keel calendar//EN',
    'CALSCALE:GREGORIAN',
    ...(opts.method ? [`METHOD:${opts.method}`] : []),
    ...(opts.name ? [`X-WR-CALNAME:${escapeText(opts.name)}`] : []),
    ...opts.events.flatMap((e) => eventLines(e, opts.stamp)),
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
