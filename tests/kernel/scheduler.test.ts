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
  const scheduler = (clock: ManualClock, jobs: Job[] = [job]) => createScheduler({ db: storage.db, clock, logger: silentLogger, jobs });

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

  it('records a failing run and keeps the schedule going', async () => {
    const clock = new ManualClock('2026-11-20T05:00:00Z');
    const failing: Job = { ...job, run: async () => Promise.reject(new Error('mail server down')) };
    const s = scheduler(clock, [failing]);
    await s.sync();
    clock.set('2026-11-20T07:00:00Z');
    expect(await s.tick()).toEqual([]);
    const row = await storage.client.execute("SELECT last_outcome, last_error, next_run_at FROM scheduled_jobs WHERE name = 'digest'");
    expect(row.rows[0]).toMatchObject({ last_outcome: 'failed', last_error: 'mail server down' });
    expect(new Date(Number(row.rows[0]!.next_run_at)).toISOString()).toBe('2026-11-21T07:00:00.000Z');
  });

  it('re-plans from now when the schedule changes', async () => {
    const clock = new ManualClock('2026-11-20T05:00:00Z');
    await scheduler(clock).sync();
    await scheduler(clock, [{ ...job, cron: '30 6 * * *' }]).sync();
    const row = await storage.client.execute("SELECT next_run_at FROM scheduled_jobs WHERE name = 'digest'");
    expect(new Date(Number(row.rows[0]!.next_run_at)).toISOString()).toBe('2026-11-20T05:30:00.000Z');
  });
});
