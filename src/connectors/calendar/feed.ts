import { Hono } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import { asc, eq } from 'drizzle-orm';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../storage/index.js';
import { clients, meetings } from '../../records/index.js';
import { calendarText } from './ics.js';
import { meetingEvent } from './event.js';

/**
 * GET /calendar.ics?token=… — every meeting Keel holds, as a feed a calendar
 * app subscribes to. The token travels in the URL because calendar apps
 * cannot send headers; without one configured the feed stays off.
 */
export function calendarFeed(deps: { db: Db; clock: Clock; token: string | undefined }) {
  const app = new Hono();
  app.get('/calendar.ics', async (c) => {
    if (!deps.token) {
      return c.text(
        'The calendar feed is off. Set CALENDAR_FEED_TOKEN to a random value (e.g. `openssl rand -hex 16`), restart Keel, and subscribe to /calendar.ics?token=<that value>.\n',
        404,
      );
    }
    if (!(await timingSafeEqual(c.req.query('token') ?? '', deps.token))) {
      return c.text('Wrong or missing token: subscribe to /calendar.ics?token=<CALENDAR_FEED_TOKEN>.\n', 401);
    }
    const rows = await deps.db
      .select({ meeting: meetings, clientName: clients.name })
      .from(meetings)
      .leftJoin(clients, eq(clients.id, meetings.clientId))
      .orderBy(asc(meetings.startsAt));
    const events = rows.map(({ meeting, clientName }) => meetingEvent(meeting, { summary: clientName ? `${meeting.title} (${clientName})` : meeting.title }));
    return c.body(calendarText({ events, stamp: deps.clock.now(), name: 'Keel' }), 200, {
      'content-type': 'text/calendar; charset=utf-8',
      'cache-control': 'no-store',
    });
  });
  return app;
}
