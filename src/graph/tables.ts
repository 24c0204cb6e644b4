import { sqliteTable, text, integer, primaryKey } from 'drizzle-orm/sqlite-core';

/** Platform events already taken in, so a re-delivery does nothing twice. */
export const inbox = sqliteTable(
  'inbox',
  {
    transport: text('transport').notNull(),
    eventId: text('event_id').notNull(),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.transport, t.eventId] })],
);
