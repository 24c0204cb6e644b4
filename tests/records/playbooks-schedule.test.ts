import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { latestOccurrence } from '../../src/records/index.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, withBillingAddress, type TestKeel } from '../support/keel.js';

// The operator is in Berlin (UTC+1 in winter): "at 9" is 08:00 UTC.
const env = { TZ: 'Europe/Berlin', DIGEST_TIME: 'off' };

describe('playbooks on a schedule', () => {
  let db: ReturnType<typeof tempDatabase>;
  const keels: TestKeel[] = [];
  const start = async (clock: ManualClock) => {
    const keel = await startKeel({ url: db.url, clock, env });
    await keel.scheduler.sync();
    keels.push(keel);
    return keel;
  };
  const sql = async (keel: TestKeel, query: string) => (await keel.storage.client.execute(query)).rows;
  /** States a routine and approves its card: the playbook exists. */
  const make = async (keel: TestKeel, routine: string) => {
    const [card] = cardsIn((await keel.say(routine)).replies);
    expect(card?.title).toMatch(/^Create the playbook/);
    expect(textIn((await keel.tap(card!.ref)).replies)).toMatch(/Done — create a playbook/);
  };

  afterEach(() => {
    for (const keel of keels.splice(0)) keel.close();
    db.remove();
  });

  it('fires a weekly playbook once per week: across a restart, two processes and repeated ticks', async () => {
    db = tempDatabase();
    // Sunday 29 November 2026, noon.
    const clock = new ManualClock('2026-11-29T12:00:00Z');
    let keel = await start(clock);
    await make(keel, 'every Monday at 9: send me the pipeline');
    expect(await sql(keel, 'SELECT trigger FROM playbooks')).toMatchObject([
      { trigger: JSON.stringify({ event: 'schedule', every: 'week', day: 1, time: '09:00' }) },
    ]);
    expect(textIn((await keel.say('/playbooks')).replies)).toContain('when it is Monday 09:00');

    // Monday 07:59 UTC is 08:59 in Berlin: not yet.
    clock.set(new Date('2026-11-30T07:59:00Z'));
    await keel.scheduler.tick();
    expect(await sql(keel, 'SELECT id FROM playbook_runs')).toHaveLength(0);

    clock.set(new Date('2026-11-30T08:00:30Z'));
    await keel.scheduler.tick();
    expect(await sql(keel, 'SELECT subject_id, title, state FROM playbook_runs')).toMatchObject([
      { subject_id: 'week:2026-11-30', title: 'the week of 2026-11-30', state: 'done' },
    ]);

    // A second tick, a restart, and a second process on the same database, each later that week: no second run.
    clock.advance(61_000);
    await keel.scheduler.tick();
    keel.close();
    keels.splice(keels.indexOf(keel), 1);
    clock.set(new Date('2026-12-02T15:00:00Z'));
    keel = await start(clock);
    const other = await start(clock);
    await Promise.all([keel.scheduler.tick(), other.scheduler.tick()]);
    clock.advance(61_000);
    await Promise.all([keel.scheduler.tick(), other.scheduler.tick()]);
    expect(await sql(keel, 'SELECT subject_id FROM playbook_runs')).toHaveLength(1);

    // The next Monday, late (the tick came at 11:00 Berlin): once more, for that week.
    clock.set(new Date('2026-12-07T10:00:00Z'));
    await Promise.all([keel.scheduler.tick(), other.scheduler.tick()]);
    clock.advance(61_000);
    await keel.scheduler.tick();
    expect((await sql(keel, 'SELECT subject_id FROM playbook_runs ORDER BY subject_id')).map((r) => r.subject_id)).toEqual([
      'week:2026-11-30',
      'week:2026-12-07',
    ]);
    // Each run's step is one reminder, due at the scheduled instant, proposed and carried out once.
    const reminders = await sql(
      keel,
      "SELECT idempotency_key AS k, state, (SELECT count(*) FROM audit_log l WHERE l.action_id = a.id AND l.event = 'running') AS n FROM actions a WHERE operation = 'operator.schedule_reminder'",
    );
    expect(reminders.map((r) => [r.state, Number(r.n)])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
    expect((await sql(keel, 'SELECT text, due_at FROM reminders ORDER BY due_at')).map((r) => [r.text, r.due_at])).toEqual([
      ['The pipeline', Date.parse('2026-11-30T08:00:00Z')],
      ['The pipeline', Date.parse('2026-12-07T08:00:00Z')],
    ]);
    expect(textIn((await keel.say('/playbooks')).replies)).toContain('ran 2×');
  });

  it('fires a monthly playbook on its day: the retainer invoice for that month, once, on one card', async () => {
    db = tempDatabase();
    const clock = new ManualClock('2026-11-20T12:00:00Z');
    const keel = await start(clock);
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    // An invoice needs the client's billing address; without it the run stops at the setup question.
    await withBillingAddress(keel, 'Acme Corp');
    await make(keel, "on the 1st of each month: invoice Acme's retainer 2,000 EUR");

    // The last day of November, and the 1st of December before 09:00 in Berlin: nothing.
    for (const at of ['2026-11-30T12:00:00Z', '2026-12-01T07:30:00Z']) {
      clock.set(new Date(at));
      await keel.scheduler.tick();
    }
    expect(await sql(keel, 'SELECT id FROM playbook_runs')).toHaveLength(0);

    clock.set(new Date('2026-12-01T08:05:00Z'));
    await keel.scheduler.tick();
    clock.set(new Date('2026-12-01T16:00:00Z'));
    await keel.scheduler.tick();
    expect(await sql(keel, 'SELECT subject_id, title FROM playbook_runs')).toMatchObject([{ subject_id: 'month:2026-12-01', title: 'December 2026' }]);
    const waiting = await sql(keel, "SELECT input, state FROM actions WHERE operation = 'invoices.issue'");
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.state).toBe('awaiting_approval');
    expect(JSON.parse(String(waiting[0]!.input))).toMatchObject({
      description: 'Retainer: December 2026',
      hoursCenti: 100,
      rateMinor: 200000,
      currency: 'EUR',
    });
  });

  it('shows on the timeline and on the why page which playbook and run proposed an action, linking to the playbook', async () => {
    db = tempDatabase();
    const clock = new ManualClock('2026-11-29T12:00:00Z');
    const keel = await start(clock);
    await make(keel, 'every Monday at 9: send me the pipeline');
    const [{ id: playbook }] = (await sql(keel, 'SELECT id FROM playbooks')) as unknown as [{ id: string }];
    for (const at of ['2026-11-30T08:01:00Z', '2026-12-07T08:01:00Z']) {
      clock.set(new Date(at));
      await keel.scheduler.tick();
    }
    const steps = await sql(keel, "SELECT id FROM actions WHERE operation = 'operator.schedule_reminder' ORDER BY created_at");
    expect(steps).toHaveLength(2);
    const headers = { host: '127.0.0.1:3000' };
    const timeline = await (await keel.http.request('/workspace', { headers })).text();
    const row = (id: unknown) => new RegExp(`<li class="entry" data-action="${id}"[\\s\\S]*?</li>`).exec(timeline)?.[0] ?? '';
    const link = (n: number) => `<a class="from-playbook" href="/workspace/playbooks#${playbook}">from playbook Every Monday at 9, run ${n}</a>`;
    expect(row(steps[0]!.id)).toContain(link(1));
    expect(row(steps[1]!.id)).toContain(link(2));
    // An action no playbook proposed has no such line.
    const [created] = await sql(keel, "SELECT id FROM actions WHERE operation = 'playbooks.create'");
    expect(row(created!.id)).toContain('Create a playbook');
    expect(row(created!.id)).not.toContain('from playbook');
    const why = await (await keel.http.request(`/workspace/actions/${steps[1]!.id}`, { headers })).text();
    expect(why).toContain(link(2));
    const page = await (await keel.http.request('/workspace/playbooks', { headers })).text();
    expect(page).toContain(`id="${playbook}"`);
  });

  it('names the period by the day in the operator zone; a monthly day past a short month is its last day', () => {
    const week = { event: 'schedule', every: 'week', day: 1, time: '09:00' } as const;
    // Sunday 23:30 UTC is already Monday 00:30 in Berlin, before 09:00: the period is the Monday before.
    expect(latestOccurrence(week, new Date('2026-11-29T23:30:00Z'), 'Europe/Berlin').day).toBe('2026-11-23');
    const month = { event: 'schedule', every: 'month', day: 31, time: '09:00' } as const;
    expect(latestOccurrence(month, new Date('2027-02-28T10:00:00Z'), 'UTC')).toEqual({ day: '2027-02-28', at: new Date('2027-02-28T09:00:00Z') });
    expect(latestOccurrence(month, new Date('2027-01-05T10:00:00Z'), 'UTC').day).toBe('2026-12-31');
  });
});
