import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caldavCalendar } from '../../src/connectors/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { tempDatabase } from '../support/db.js';
import { startKeel, textIn } from '../support/keel.js';
import { startRadicale } from './radicale.js';

let radicale: Awaited<ReturnType<typeof startRadicale>>;
beforeAll(async () => {
  radicale = await startRadicale();
});
afterAll(async () => {
  await radicale.close();
});

const event = (uid: string, lines: string[]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261101T000000Z',
    ...lines,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

describe("a booking page keeps the CalDAV calendar's busy times free (radicale)", () => {
  it('reads zoned, UTC and all-day events, skips transparent ones, and offers no time they hold', async () => {
    const calendar = caldavCalendar(radicale.settings);
    await calendar.put(
      'dentist',
      event('dentist', ['DTSTART;TZID=Europe/Berlin:20261201T103000', 'DTEND;TZID=Europe/Berlin:20261201T113000', 'SUMMARY:Dentist']),
    );
    await calendar.put('call', event('call', ['DTSTART:20261201T140000Z', 'DURATION:PT1H', 'SUMMARY:Call']));
    await calendar.put('holiday', event('holiday', ['DTSTART;VALUE=DATE:20261202', 'DTEND;VALUE=DATE:20261203', 'SUMMARY:Day off']));
    await calendar.put('reminder', event('reminder', ['DTSTART:20261201T120000Z', 'DTEND:20261201T130000Z', 'TRANSP:TRANSPARENT', 'SUMMARY:Just a note']));
    const spans = await calendar.busy(new Date('2026-12-01T00:00:00Z'), new Date('2026-12-04T00:00:00Z'), 'Europe/Berlin');
    expect(spans.map((s) => [s.start.toISOString(), s.end.toISOString()]).sort()).toEqual([
      ['2026-12-01T09:30:00.000Z', '2026-12-01T10:30:00.000Z'],
      ['2026-12-01T14:00:00.000Z', '2026-12-01T15:00:00.000Z'],
      ['2026-12-01T23:00:00.000Z', '2026-12-02T23:00:00.000Z'],
    ]);

    const db = tempDatabase();
    const keel = await startKeel({
      url: db.url,
      clock: new ManualClock('2026-12-01T08:00:00Z'),
      env: { TZ: 'Europe/Berlin', CALDAV_URL: radicale.settings.url, CALDAV_USERNAME: radicale.settings.username, CALDAV_PASSWORD: radicale.settings.password },
    });
    try {
      await keel.say('Add Acme Corp as a client, contact dana@acme.test');
      const path = /\/c\/[A-Za-z0-9_-]{43}/.exec(textIn((await keel.say('/links booking Acme')).replies))![0];
      const page = await (await keel.http.request(`${path}?tz=Europe/Berlin`)).text();
      const starts = [...page.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1]!);
      // Slots start every 45 minutes from 09:00 Berlin; the dentist (10:30–11:30 Berlin) plus the 15-minute buffer takes
      // 10:30 and 11:15, the call (15:00–16:00 Berlin) takes 15:00 and 15:45; 09:45 and 12:00 stay free.
      expect(starts).toEqual(expect.arrayContaining(['2026-12-01T08:45:00.000Z', '2026-12-01T11:00:00.000Z', '2026-12-01T15:30:00.000Z']));
      for (const taken of ['2026-12-01T09:30:00.000Z', '2026-12-01T10:15:00.000Z', '2026-12-01T14:00:00.000Z', '2026-12-01T14:45:00.000Z']) {
        expect(starts).not.toContain(taken);
      }
      expect(starts.some((s) => s.startsWith('2026-12-02'))).toBe(false);
      expect(starts.some((s) => s.startsWith('2026-12-03'))).toBe(true);
    } finally {
      keel.close();
      db.remove();
    }
  });
});
