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
    /** The process handling the event; its row in turn_leases says whether it is still alive. */
    owner: text('owner'),
  },
  (t) => [primaryKey({ columns: [t.transport, t.eventId] })],
);

/**
 * One row per process while it is handling events (a turn, a command, a recovery): its lease, renewed while it
 * works and removed when it has nothing in hand. Recovery in another process forgets unfinished inbox rows and
 * continues interrupted runs only when no live process holds such a lease.
 */
export const turnLeases = sqliteTable('turn_leases', {
  owner: text('owner').primaryKey(),
  leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }).notNull(),
});
