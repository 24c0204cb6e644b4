import { Cron } from 'croner';
import { and, eq, lte } from 'drizzle-orm';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Db } from '../../storage/index.js';
import { scheduledJobs } from './tables.js';

export { scheduledJobs };

export interface Job {
  name: string;
  /** A cron expression read in `timeZone`, e.g. "0 8 * * *" for 08:00 local. */
  cron: string;
  timeZone: string;
  /**
   * `runKey` names this occurrence (job + the time it was due), so effects
   * inside pass it to the kernel as their idempotency key and a repeat is harmless.
   */
  run(occurrence: { dueAt: Date; runKey: string }): Promise<void>;
}

const nextAfter = (job: Pick<Job, 'cron' | 'timeZone'>, after: Date): Date => {
  const next = new Cron(job.cron, { timezone: job.timeZone, paused: true }).nextRun(after);
  if (!next) throw new Error(`The schedule "${job.cron}" never runs again.`);
  return next;
};

/**
 * Runs jobs when due. Time comes from the injected clock and due times live in
 * libSQL: `tick()` claims each due job with one conditional update (so two
 * processes on one database run it once), then moves it to its next time
 * after now — a job missed while the process was down runs once, not once per
 * missed occurrence. Node calls `tick` on an interval; Workers from Cron Triggers.
 */
export function createScheduler(deps: { db: Db; clock: Clock; logger: Logger; jobs: Job[] }) {
  const { db, clock, logger } = deps;
  const byName = new Map(deps.jobs.map((job) => [job.name, job]));

  /** Stores each job's schedule; a changed schedule or zone is re-planned from now. */
  async function sync(): Promise<void> {
    const now = clock.now();
    for (const job of deps.jobs) {
      const [row] = await db.select().from(scheduledJobs).where(eq(scheduledJobs.name, job.name));
      if (row && row.cron === job.cron && row.timeZone === job.timeZone) continue;
      const nextRunAt = nextAfter(job, now);
      await db
        .insert(scheduledJobs)
        .values({ name: job.name, cron: job.cron, timeZone: job.timeZone, nextRunAt })
        .onConflictDoUpdate({ target: scheduledJobs.name, set: { cron: job.cron, timeZone: job.timeZone, nextRunAt } });
    }
  }

  async function tick(): Promise<string[]> {
    const now = clock.now();
    const due = await db.select().from(scheduledJobs).where(lte(scheduledJobs.nextRunAt, now));
    const ran: string[] = [];
    for (const row of due) {
      const job = byName.get(row.name);
      if (!job) continue;
      const claimed = await db
        .update(scheduledJobs)
        .set({ nextRunAt: nextAfter(job, now), lastRunAt: now })
        .where(and(eq(scheduledJobs.name, row.name), eq(scheduledJobs.nextRunAt, row.nextRunAt)))
        .returning();
      if (!claimed.length) continue;
      const runKey = `job:${job.name}:${row.nextRunAt.toISOString()}`;
      try {
        await job.run({ dueAt: row.nextRunAt, runKey });
        await db.update(scheduledJobs).set({ lastOutcome: 'ok', lastError: null }).where(eq(scheduledJobs.name, job.name));
        ran.push(job.name);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        logger.error(`scheduled job ${job.name} failed`, { runKey, error: message });
        await db.update(scheduledJobs).set({ lastOutcome: 'failed', lastError: message }).where(eq(scheduledJobs.name, job.name));
      }
    }
    return ran;
  }

  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    sync,
    tick,
    /** Node only: checks for due jobs every `everyMs`. */
    start(everyMs = 30_000) {
      timer = setInterval(() => {
        tick().catch((error: unknown) => logger.error('scheduler tick failed', { error }));
      }, everyMs);
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
