import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { createScheduler, type Job } from '../../src/kernel/scheduler/index.js';
import type { Storage } from '../../src/storage/index.js';
import { tempDatabase } from '../support/db.js';

describe('the scheduler', () => {
  let db: ReturnType<typeof tempDatabase>;
  let storage: Storage;
  const runs: { dueAt: string; runKey: string }[] = [];
  const job: Job = {
    name: 'digest',
    cron: '0 8 * * *',
    timeZone: 'Europe/Berlin',
    run: async ({ dueAt, runKey }) => {
      runs.push({ dueAt: dueAt.toISOString(), runKey });
    },
  };
  const scheduler = (clock: ManualClock, jobs: Job[] = [job], owner = 'owner_a') =>
    createScheduler({ db: storage.db, clock, logger: silentLogger, jobs, owner });

  beforeEach(async () => {
    runs.length = 0;
    db = tempDatabase();
    storage = await db.open();
  });
  afterEach(() => {
    storage.close();
    db.remove();
  });

  it('runs at 08:00 local time on both sides of a DST change', async () => {
    const clock = new ManualClock('2026-10-24T05:00:00Z');
    const s = scheduler(clock);
    await s.sync();
    expect(await s.tick()).toEqual([]);
    clock.set('2026-10-24T06:00:00Z'); // 08:00 CEST
    expect(await s.tick()).toEqual(['digest']);
    clock.set('2026-10-25T06:00:00Z'); // 07:00 CET, the clocks went back overnight
    expect(await s.tick()).toEqual([]);
    clock.set('2026-10-25T07:00:00Z'); // 08:00 CET
    expect(await s.tick()).toEqual(['digest']);
    expect(runs.map((r) => r.dueAt)).toEqual(['2026-10-24T06:00:00.000Z', '2026-10-25T07:00:00.000Z']);
  });

  it('runs a job missed while the process was down once at the next start, not once per missed day', async () => {
    const before = new ManualClock('2026-11-20T05:00:00Z');
    await scheduler(before).sync();
    const after = new ManualClock('2026-11-23T12:00:00Z');
    const restarted = scheduler(after);
    await restarted.sync();
    expect(await restarted.tick()).toEqual(['digest']);
    expect(await restarted.tick()).toEqual([]);
    expect(runs).toHaveLength(1);
    after.set('2026-11-24T07:00:00Z');
    expect(await restarted.tick()).toEqual(['digest']);
  });

  it('runs a due job once when two processes tick the same database at once', async () => {
    const clock = new ManualClock('2026-11-20T05:00:00Z');
    const [a, b] = [scheduler(clock), scheduler(clock)];
    await a.sync();
    await b.sync();
    clock.set('2026-11-20T07:30:00Z');
    const ran = await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    expect(ran.flat()).toEqual(['digest']);
    expect(runs).toHaveLength(1);
  });

  it('retries a failing run with backoff the same day, and moves to the next day only once it succeeded', async () => {
    const clock = new ManualClock('2026-11-20T05:00:00Z');
    let failures = 2;
    const flaky: Job = {
      ...job,
      run: async (occurrence) => {
        if (failures-- > 0) throw new Error('mail server down');
        runs.push({ dueAt: occurrence.dueAt.toISOString(), runKey: occurrence.runKey });
      },
    };
    const s = scheduler(clock, [flaky]);
    await s.sync();
    const read = async () => {
      const row = (await storage.client.execute("SELECT last_outcome, last_error, next_run_at, retry_at, claimed_by FROM scheduled_jobs WHERE name = 'digest'"))
        .rows[0]!;
      return {
        ...row,
        next_run_at: new Date(Number(row.next_run_at)).toISOString(),
        retry_at: row.retry_at === null ? null : new Date(Number(row.retry_at)).toISOString(),
      };
    };
    clock.set('2026-11-20T07:00:00Z');
    expect(await s.tick()).toEqual([]);
    expect(await read()).toMatchObject({
      last_outcome: 'failed',
      last_error: 'mail server down',
      next_run_at: '2026-11-20T07:00:00.000Z',
      retry_at: '2026-11-20T07:01:00.000Z',
      claimed_by: null,
    });
    clock.set('2026-11-20T07:00:59Z');
    expect(await s.tick()).toEqual([]); // not before the backoff
    clock.set('2026-11-20T07:01:00Z');
    expect(await s.tick()).toEqual([]);
    expect(await read()).toMatchObject({ next_run_at: '2026-11-20T07:00:00.000Z', retry_at: '2026-11-20T07:03:00.000Z' }); // twice the wait
    clock.set('2026-11-20T07:03:00Z');
    expect(await s.tick()).toEqual(['digest']);
    expect(await read()).toMatchObject({ last_outcome: 'ok', last_error: null, next_run_at: '2026-11-21T07:00:00.000Z', retry_at: null });
    // The retry is the same occurrence, under the same key: its effects are not repeated.
    expect(runs).toEqual([{ dueAt: '2026-11-20T07:00:00.000Z', runKey: 'job:digest:2026-11-20T07:00:00.000Z' }]);
  });

  it('gives up an occurrence that keeps failing when the next one is due before its retry', async () => {
    const clock = new ManualClock('2026-11-20T05:00:00Z');
    let attempts = 0;
    const failing: Job = { ...job, run: async () => Promise.reject(new Error(`mail server down (${++attempts})`)) };
    const s = createScheduler({
      db: storage.db,
      clock,
      logger: silentLogger,
      jobs: [failing],
      owner: 'owner_a',
      retry: { baseDelayMs: 60_000, maxDelayMs: 24 * 3_600_000 },
    });
    await s.sync();
    const read = async () => {
      const row = (await storage.client.execute("SELECT next_run_at, retry_at, attempts FROM scheduled_jobs WHERE name = 'digest'")).rows[0]!;
      return {
        next: new Date(Number(row.next_run_at)).toISOString(),
        retryAt: row.retry_at === null ? null : Number(row.retry_at),
        attempts: Number(row.attempts),
      };
    };
    clock.set('2026-11-20T07:00:00Z');
    await s.tick();
    for (let row = await read(); row.retryAt !== null; row = await read()) {
      clock.set(new Date(row.retryAt));
      await s.tick();
    }
    // Tried again after 1, 2, 4 … 512 minutes; the wait after the 11th try (1,024 minutes) would end past the next day's 08:00.
    expect(attempts).toBe(11);
    expect(clock.now().toISOString()).toBe('2026-11-21T00:03:00.000Z');
    expect(await read()).toEqual({ next: '2026-11-21T07:00:00.000Z', retryAt: null, attempts: 0 });
  });

  it('leaves a claim alone while its lease holds, runs it again once the lease ran out, and the late owner records nothing', async () => {
    const clock = new ManualClock('2026-11-20T05:00:00Z');
    let finishFirst!: () => void;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const stalled: Job = {
      ...job,
      run: async (occurrence) => {
        runs.push({ dueAt: occurrence.dueAt.toISOString(), runKey: `first:${occurrence.runKey}` });
        started();
        await new Promise<void>((resolve) => (finishFirst = resolve));
      },
    };
    const lease = { ttlMs: 60_000, renewEveryMs: 3_600_000 }; // no heartbeat fires during the test: the first owner looks stalled
    const first = createScheduler({ db: storage.db, clock, logger: silentLogger, jobs: [stalled], owner: 'owner_a', lease });
    const second = createScheduler({ db: storage.db, clock, logger: silentLogger, jobs: [job], owner: 'owner_b', lease });
    await first.sync();
    clock.set('2026-11-20T07:00:00Z');
    const firstTick = first.tick();
    await running;
    expect(await second.tick()).toEqual([]);
    clock.advance(59_999);
    expect(await second.tick()).toEqual([]);
    clock.advance(1);
    expect(await second.tick()).toEqual(['digest']);
    finishFirst();
    expect(await firstTick).toEqual([]);
    expect(runs.map((r) => r.runKey)).toEqual(['first:job:digest:2026-11-20T07:00:00.000Z', 'job:digest:2026-11-20T07:00:00.000Z']);
    const row = (await storage.client.execute("SELECT next_run_at, claimed_by, last_outcome FROM scheduled_jobs WHERE name = 'digest'")).rows[0]!;
    expect(row).toMatchObject({ claimed_by: null, last_outcome: 'ok' });
    expect(new Date(Number(row.next_run_at)).toISOString()).toBe('2026-11-21T07:00:00.000Z');
  });

  it('re-plans from now when the schedule changes', async () => {
    const clock = new ManualClock('2026-11-20T05:00:00Z');
    await scheduler(clock).sync();
    await scheduler(clock, [{ ...job, cron: '30 6 * * *' }]).sync();
    const row = await storage.client.execute("SELECT next_run_at FROM scheduled_jobs WHERE name = 'digest'");
    expect(new Date(Number(row.rows[0]!.next_run_at)).toISOString()).toBe('2026-11-20T05:30:00.000Z');
  });
});
