import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/**
 * Durable schedule: when each job is next due survives restarts, so a run missed while down happens at the next start.
 * `nextRunAt` is the due time of the occurrence still to be done: it moves only once that occurrence finished (or
 * gave up, when its next occurrence came due). A run in progress holds `claimedBy` with a lease until `leaseUntil`,
 * renewed while it runs; a claim whose lease ran out belongs to a process that died or stalled, and is run again.
 */
export const scheduledJobs = sqliteTable('scheduled_jobs', {
  name: text('name').primaryKey(),
  cron: text('cron').notNull(),
  timeZone: text('time_zone').notNull(),
  nextRunAt: integer('next_run_at', { mode: 'timestamp_ms' }).notNull(),
  lastRunAt: integer('last_run_at', { mode: 'timestamp_ms' }),
  lastOutcome: text('last_outcome', { enum: ['ok', 'failed'] }),
  lastError: text('last_error'),
  claimedBy: text('claimed_by'),
  leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
  /** Runs of the occurrence at nextRunAt begun so far; sets the backoff after a failure. */
  attempts: integer('attempts').notNull().default(0),
  /** After a failure, the occurrence is tried again no earlier than this. */
  retryAt: integer('retry_at', { mode: 'timestamp_ms' }),
});
