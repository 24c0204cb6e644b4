import { sqliteTable, text, integer, primaryKey } from 'drizzle-orm/sqlite-core';

/** Platform events taken in, so a re-delivery does nothing twice. */
export const inbox = sqliteTable(
  'inbox',
  {
    transport: text('transport').notNull(),
    eventId: text('event_id').notNull(),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    /** Set once the event was fully handled. A row without it after a restart belongs to a process that died mid-event: recovery forgets it, so the platform's re-delivery is handled rather than dropped. */
    handledAt: integer('handled_at', { mode: 'timestamp_ms' }),
  },
  (t) => [primaryKey({ columns: [t.transport, t.eventId] })],
);
