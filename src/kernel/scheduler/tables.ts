import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/** Durable schedule: when each job is next due survives restarts, so a run missed while down happens at the next start. */
export const scheduledJobs = sqliteTable('scheduled_jobs', {
  name: text('name').primaryKey(),
  cron: text('cron').notNull(),
  timeZone: text('time_zone').notNull(),
  nextRunAt: integer('next_run_at', { mode: 'timestamp_ms' }).notNull(),
  lastRunAt: integer('last_run_at', { mode: 'timestamp_ms' }),
  lastOutcome: text('last_outcome', { enum: ['ok', 'failed'] }),
  lastError: text('last_error'),
});
