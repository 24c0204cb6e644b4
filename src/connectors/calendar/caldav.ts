import { createObject, deleteObject, getBasicAuthHeaders, propfind } from 'tsdav';
import { ConnectorError } from '../../kernel/connector.js';
import { localInstant } from '../../core/zoned-time.js';

export interface CalDavSettings {
  /** The calendar collection events are written to, e.g. https://dav.example.com/dana/calendar/. */
  url: string;
  username: string;
  password: string;
  /** The fetch to send requests with; tests wrap it to inject a failure. */
  fetch?: typeof fetch;
}

/** Statuses a later attempt may not meet: timeouts, throttling and the server's own trouble. */
const transient = (status: number) => status === 408 || status === 429 || status >= 500;

export interface CalDavCalendar {
  /** Writes the meeting's event under its id, replacing any earlier version (VCALENDAR text without METHOD). */
  put(meetingId: string, ics: string): Promise<void>;
  /** Deletes the meeting's event; a missing one counts as deleted. */
  remove(meetingId: string): Promise<void>;
  /** Whether the server holds the meeting's event: what lookup asks after a crash. */
  has(meetingId: string): Promise<boolean>;
  /** Times the calendar's events (not transparent, not cancelled) hold between two instants; floating and all-day times are read in `timeZone`. */
  busy(from: Date, to: Date, timeZone: string): Promise<{ start: Date; end: Date }[]>;
}

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const xmlText = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#13;/g, '\r')
    .replace(/&#10;/g, '\n')
    .replace(/&amp;/g, '&');

/** An iCalendar DATE or DATE-TIME (UTC, with TZID, or floating) as an instant; all-day and floating ones in `timeZone`. */
function icsInstant(params: string, value: string, timeZone: string): Date | undefined {
  const at = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})\d{2}(Z)?)?$/.exec(value.trim());
  if (!at) return undefined;
  const [, y, mo, d, h = '00', mi = '00', utc] = at;
  if (utc) return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)));
  const tzid = /TZID=("?)([^;:"]+)\1/.exec(params)?.[2];
  let zone = timeZone;
  try {
    if (tzid) zone = new Intl.DateTimeFormat('en-US', { timeZone: tzid }).resolvedOptions().timeZone;
  } catch {
    // A TZID that is not an IANA name (an Outlook "W. Europe Standard Time") is read in the operator's zone.
  }
  return localInstant(`${y}-${mo}-${d}`, `${h}:${mi}`, zone);
}

/** "PT1H30M", "P1D" → milliseconds. */
function durationMs(value: string): number {
  const p = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value.trim());
  if (!p) return 0;
  const [, w = 0, d = 0, h = 0, m = 0, s = 0] = p.map((n) => Number(n ?? 0));
  return ((((Number(w) * 7 + Number(d)) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000;
}

/** The busy spans of the VEVENTs in calendar data: DTSTART to DTEND (or DURATION, or the day for a date), skipping transparent and cancelled events. */
export function eventSpans(ics: string, timeZone: string): { start: Date; end: Date }[] {
  const lines = ics.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const spans: { start: Date; end: Date }[] = [];
  let event: Record<string, { params: string; value: string }> | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') event = {};
    else if (line === 'END:VEVENT' && event) {
      const start = event.DTSTART && icsInstant(event.DTSTART.params, event.DTSTART.value, timeZone);
      const allDay = event.DTSTART && /^\d{8}$/.test(event.DTSTART.value.trim());
      const end = event.DTEND
        ? icsInstant(event.DTEND.params, event.DTEND.value, timeZone)
        : start && new Date(start.getTime() + (event.DURATION ? durationMs(event.DURATION.value) : allDay ? 86_400_000 : 0));
      const free = event.TRANSP?.value.trim() === 'TRANSPARENT' || event.STATUS?.value.trim() === 'CANCELLED';
      if (start && end && end > start && !free) spans.push({ start, end });
      event = undefined;
    } else if (event) {
      const colon = line.indexOf(':');
      const [name = '', ...params] = line.slice(0, colon).split(';');
      if (colon > 0 && !(name in event)) event[name.toUpperCase()] = { params: params.join(';'), value: line.slice(colon + 1) };
    }
  }
  return spans;
}

/**
 * Meetings written to the operator's own CalDAV calendar (tsdav over
 * `fetch`). Each meeting is one object named by its id, so writing it again
 * replaces it rather than adding a second event, and deleting a missing one
 * is done already.
 */
export function caldavCalendar(settings: CalDavSettings): CalDavCalendar {
  const collection = settings.url.endsWith('/') ? settings.url : `${settings.url}/`;
  const where = new URL(collection).host;
  const headers = getBasicAuthHeaders({ username: settings.username, password: settings.password });
  const urlOf = (meetingId: string) => `${collection}${encodeURIComponent(meetingId)}.ics`;
  const transport = settings.fetch ? { fetch: settings.fetch } : {};

  async function call(what: string, request: () => Promise<{ status: number; ok: boolean }>, accept: number[] = []): Promise<number> {
    let response: { status: number; ok: boolean };
    try {
      response = await request();
    } catch (error) {
      throw new ConnectorError(
        `Could not reach the calendar server ${where} to ${what} (${error instanceof Error ? error.message : String(error)}); will try again.`,
        { retryable: true },
      );
    }
    if (response.ok || accept.includes(response.status)) return response.status;
    if (transient(response.status))
      throw new ConnectorError(`The calendar server ${where} could not ${what} for now (HTTP ${response.status}); will try again.`, { retryable: true });
    const fix =
      response.status === 401 || response.status === 403
        ? 'check CALDAV_USERNAME and CALDAV_PASSWORD'
        : 'check that CALDAV_URL names an existing calendar (the collection URL, ending in /)';
    throw new ConnectorError(`The calendar server ${where} refused to ${what} (HTTP ${response.status}); ${fix}.`, { retryable: false });
  }

  return {
    /** Writes the meeting's event (VCALENDAR text without METHOD: a stored object, not a message). */
    async put(meetingId: string, ics: string): Promise<void> {
      await call('save the meeting', () =>
        createObject({ url: urlOf(meetingId), data: ics, headers: { ...headers, 'content-type': 'text/calendar; charset=utf-8' }, ...transport }),
      );
    },
    async remove(meetingId: string): Promise<void> {
      await call('remove the meeting', () => deleteObject({ url: urlOf(meetingId), headers, ...transport }), [404]);
    },
    /** Whether the server holds the meeting's event: what lookup asks after a crash. */
    async has(meetingId: string): Promise<boolean> {
      const status = await call(
        'look the meeting up',
        async () => (await propfind({ url: urlOf(meetingId), props: { 'd:getetag': {} }, depth: '0', headers, ...transport }))[0] ?? { status: 404, ok: false },
        [404],
      );
      return status !== 404;
    },
    async busy(from: Date, to: Date, timeZone: string) {
      const query = `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${stamp(from)}" end="${stamp(to)}"/></C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>`;
      let body = '';
      await call('read the busy times', async () => {
        const response = await (settings.fetch ?? fetch)(collection, {
          method: 'REPORT',
          headers: { ...headers, depth: '1', 'content-type': 'application/xml; charset=utf-8' },
          body: query,
        });
        body = await response.text();
        return response;
      });
      const data = [...body.matchAll(/<(?:[\w-]+:)?calendar-data[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?calendar-data>/g)].map((m) => xmlText(m[1]!));
      return data.flatMap((ics) => eventSpans(ics, timeZone)).filter((span) => span.start < to && span.end > from);
    },
  };
}
