import { createObject, deleteObject, getBasicAuthHeaders, propfind } from 'tsdav';
import { ConnectorError } from '../../kernel/connector.js';

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
  };
}
