import { Cron } from 'croner';
import { and, eq, isNull, lte, or } from 'drizzle-orm';
import type { Clock } from '../../core/clock.js';
import { defaultLease, whileHeld, type LeaseSettings } from '../../core/lease.js';
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

/** How a failed occurrence is tried again: after base, 2×base, 4×base … up to max, until the next occurrence is due. */
export interface JobRetrySettings {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultJobRetry: JobRetrySettings = { baseDelayMs: 60_000, maxDelayMs: 60 * 60_000 };

const nextAfter = (job: Pick<Job, 'cron' | 'timeZone'>, after: Date): Date => {
  const next = new Cron(job.cron, { timezone: job.timeZone, paused: true }).nextRun(after);
  if (!next) throw new Error(`The schedule "${job.cron}" never runs again.`);
  return next;
};

export interface Scheduler {
  /** Stores each job's schedule; a changed schedule or zone is re-planned from now. */
  sync(): Promise<void>;
  /** Claims and runs the jobs that are due, each once across processes; returns the names of those that ran. */
  tick(): Promise<string[]>;
  /** Node only: checks for due jobs every `everyMs` (default 30 s). */
  start(everyMs?: number): void;
  /** Stops the interval `start` began. */
  stop(): void;
}

/**
 * Runs jobs when due. Time comes from the injected clock and due times live in
 * libSQL. `tick()` claims each due job with one conditional update that names
 * this process as owner with a lease (so two processes on one database run it
 * once), renews the lease while the job runs, and moves the job to its next
 * time after now only when the run finished — a job missed while the process
 * was down runs once, not once per missed occurrence; a process killed after
 * its claim leaves a claim whose lease runs out, and the occurrence runs again
 * (its effects carry the occurrence's key, so they happen once). A run that
 * fails is tried again with backoff until the next occurrence is due.
 * Node calls `tick` on an interval; Workers from Cron Triggers.
 */
export function createScheduler(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  jobs: Job[];
  /** Names this process in claims; one per process or isolate. */
  owner: string;
  lease?: LeaseSettings;
  retry?: JobRetrySettings;
}): Scheduler {
  const { db, clock, logger, owner } = deps;
  const lease = deps.lease ?? defaultLease;
  const retry = deps.retry ?? defaultJobRetry;
  const byName = new Map(deps.jobs.map((job) => [job.name, job]));
  /** Jobs this process is running: even past a lapsed lease (a long stall), its own next tick must not start them twice. */
  const inHand = new Set<string>();
  const later = (ms: number) => new Date(clock.now().getTime() + ms);

  /** Stores each job's schedule; a changed schedule or zone is re-planned from now. */
  async function sync(): Promise<void> {
    const now = clock.now();
    for (const job of deps.jobs) {
      const [row] = await db.select().from(scheduledJobs).where(eq(scheduledJobs.name, job.name));
      if (row && row.cron === job.cron && row.timeZone === job.timeZone) continue;
      const nextRunAt = nextAfter(job, now);
      const replan = { cron: job.cron, timeZone: job.timeZone, nextRunAt, attempts: 0, retryAt: null };
      await db
        .insert(scheduledJobs)
        .values({ name: job.name, ...replan })
        .onConflictDoUpdate({ target: scheduledJobs.name, set: replan });
    }
  }

  /** Applies `changes` only while this process still holds the claim on that occurrence. */
  const whileOwner = async (name: string, dueAt: Date, changes: Partial<typeof scheduledJobs.$inferInsert>) =>
    (
      await db
        .update(scheduledJobs)
        .set(changes)
        .where(and(eq(scheduledJobs.name, name), eq(scheduledJobs.claimedBy, owner), eq(scheduledJobs.nextRunAt, dueAt)))
        .returning()
    ).length > 0;

  async function runClaimed(job: Job, claimed: typeof scheduledJobs.$inferSelect): Promise<boolean> {
    const dueAt = claimed.nextRunAt;
    const runKey = `job:${job.name}:${dueAt.toISOString()}`;
    const released = { claimedBy: null, leaseUntil: null };
    try {
      await whileHeld(
        {
          what: `scheduled job ${job.name}`,
          settings: lease,
          renew: () => whileOwner(job.name, dueAt, { leaseUntil: later(lease.ttlMs) }),
          onError: (error) => logger.warn('could not renew the lease of a scheduled job', { job: job.name, error }),
        },
        () => job.run({ dueAt, runKey }),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const now = clock.now();
      const retryAt = new Date(now.getTime() + Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (claimed.attempts - 1)));
      const next = nextAfter(job, now);
      // Once the next occurrence is due before the retry would be, that occurrence takes over.
      const giveUp = retryAt >= next;
      logger.error(`scheduled job ${job.name} failed`, { runKey, error: message, ...(giveUp ? { next } : { retryAt }) });
      await whileOwner(job.name, dueAt, {
        ...released,
        lastOutcome: 'failed',
        lastError: message,
        ...(giveUp ? { nextRunAt: next, attempts: 0, retryAt: null } : { retryAt }),
      });
      return false;
    }
    const finished = await whileOwner(job.name, dueAt, {
      ...released,
      nextRunAt: nextAfter(job, clock.now()),
      attempts: 0,
      retryAt: null,
      lastOutcome: 'ok',
      lastError: null,
    });
    if (!finished) logger.warn('a scheduled job finished after its lease ran out; the process that took it over records it', { runKey });
    return finished;
  }

  async function tick(): Promise<string[]> {
    const now = clock.now();
    const claimable = and(
      lte(scheduledJobs.nextRunAt, now),
      or(isNull(scheduledJobs.retryAt), lte(scheduledJobs.retryAt, now)),
      or(isNull(scheduledJobs.leaseUntil), lte(scheduledJobs.leaseUntil, now)),
    );
    const due = await db.select().from(scheduledJobs).where(claimable);
    const ran: string[] = [];
    for (const row of due) {
      const job = byName.get(row.name);
      if (!job || inHand.has(job.name)) continue;
      const [claimed] = await db
        .update(scheduledJobs)
        .set({ claimedBy: owner, leaseUntil: later(lease.ttlMs), lastRunAt: now, attempts: row.attempts + 1 })
        .where(and(eq(scheduledJobs.name, row.name), eq(scheduledJobs.nextRunAt, row.nextRunAt), claimable))
        .returning();
      if (!claimed) continue;
      if (row.claimedBy) logger.info('took over a scheduled job whose lease ran out', { job: job.name, dueAt: row.nextRunAt, previousOwner: row.claimedBy });
      inHand.add(job.name);
      try {
        if (await runClaimed(job, claimed)) ran.push(job.name);
      } finally {
        inHand.delete(job.name);
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
