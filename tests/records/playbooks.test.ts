import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { Outbound } from '../../src/graph/index.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, withBillingAddress, type TestKeel } from '../support/keel.js';
import { startEmailApi } from '../connectors/email-api.js';

// Wednesday 25 November 2026, 09:00 UTC (TZ is UTC).
const NOW = '2026-11-25T09:00:00Z';
const ROUTINE =
  'when a proposal is accepted: create a project for it, book a 30-minute kickoff within 3 working days, send the welcome email, invoice a 30% deposit';

describe('playbooks from the web chat', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;
  let clock: ManualClock;
  const say = async (text: string) => textIn((await keel.say(text)).replies);
  const sql = async (query: string) => (await keel.storage.client.execute(query)).rows;
  const count = async (query: string) => Number((await sql(query))[0]!.n);
  /** Presses a button the way the web page does. */
  const press = async (data: string) => {
    const res = await keel.http.request('/api/decisions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-keel': '1', host: '127.0.0.1:3000' },
      body: JSON.stringify({ id: randomUUID(), action: data }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { replies: string[] }).replies.join('\n');
  };
  /** One minute on, and the scheduler's due jobs (the playbooks job among them) run. */
  const minuteLater = async () => {
    clock.advance(61_000);
    return keel.scheduler.tick();
  };
  /** What the runner told the operator under a key (a notice goes through the kernel, once). */
  const notice = async (key: string) => ((await keel.kernel.byKey(key))?.input as { messages: Outbound[] } | undefined)?.messages ?? [];
  const stepRuns = async () =>
    (
      await sql(
        "SELECT a.idempotency_key AS k, (SELECT count(*) FROM audit_log l WHERE l.action_id = a.id AND l.event = 'running') AS n FROM actions a WHERE a.idempotency_key LIKE 'playbook:%' AND a.operation <> 'operator.notify' ORDER BY a.idempotency_key",
      )
    ).map((r) => [String(r.k).replace(/^playbook:[^:]+:/, ''), Number(r.n)]);

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    db = tempDatabase();
    keel = await startKeel({ url: db.url, clock });
    await keel.scheduler.sync();
    await say('Add Beta GmbH as a client, contact Tom tom@beta.test');
    await withBillingAddress(keel, 'Beta GmbH');
    await say('draft a proposal for Beta: Workshop, 40 hours at 100 EUR');
  });
  afterEach(() => {
    keel.close();
    db.remove();
  });

  it('states the routine as data on a card, fires once when a proposal is accepted, gathers the approvals in one message, and runs every step once, in order', async () => {
    const stated = await keel.say(ROUTINE);
    const [card] = cardsIn(stated.replies);
    expect(card?.title).toBe('Create the playbook "Kickoff"');
    expect(card?.facts).toEqual([
      { label: 'When', value: 'a proposal is accepted' },
      { label: 'Step 1', value: 'memory.add_project — name: {{proposal.title}}, clientId: {{client.id}}' },
      {
        label: 'Step 2',
        value: expect.stringMatching(
          /^calendar\.book — clientId: \{\{client\.id\}\}, title: Kickoff: \{\{proposal\.title\}\}, startsAt: \{\{workday\(3\) 10:00\}\}, durationMinutes: 30$/,
        ),
      },
      { label: 'Step 3', value: expect.stringMatching(/^email\.send — to: \{\{client\.email\}\}/) },
      {
        label: 'Step 4',
        value: expect.stringMatching(/^invoices\.issue — .*hoursCenti: \{\{proposal\.hoursCenti \* 0\.3\}\}, rateMinor: \{\{proposal\.rateMinor\}\}/),
      },
      { label: 'If a step fails', value: 'the run stops; finished steps stay' },
      { label: 'Approvals', value: 'each run gathers the steps that need your approval into one message' },
    ]);
    // Proposed, not granted: nothing fires until the card is approved.
    expect(await count('SELECT count(*) AS n FROM playbooks')).toBe(0);
    expect(textIn((await keel.tap(card!.ref)).replies)).toMatch(/Done — create a playbook/);
    const [playbook] = await sql('SELECT id FROM playbooks');

    expect(await say('Beta accepted the proposal')).toMatch(/accepted/);
    expect(await minuteLater()).toContain('playbooks');
    const [run] = await sql('SELECT id, state, step FROM playbook_runs');
    expect(run).toMatchObject({ state: 'running', step: 1 });
    // The project needs no approval and is done; the three that leave Keel wait in one gathered message.
    expect(await count('SELECT count(*) AS n FROM projects')).toBe(1);
    const gathered = await notice(`playbook:${run!.id}:gathered`);
    const batch = gathered.find((m) => m.kind === 'batch');
    expect(batch?.kind === 'batch' && batch.batch.summary).toMatch(
      /^Kickoff for Beta GmbH: Workshop: Start a project for Beta GmbH, Book "Kickoff: Workshop" with Beta GmbH, Send an email to tom@beta\.test, Issue an invoice to Beta GmbH 1,200\.00 EUR — Approve all/,
    );
    expect(cardsIn(gathered)).toHaveLength(3);
    expect(await count("SELECT count(*) AS n FROM actions WHERE state = 'awaiting_approval'")).toBe(3);

    // A second tick finds the same event: no second run, nothing proposed again.
    await minuteLater();
    expect(await count('SELECT count(*) AS n FROM playbook_runs')).toBe(1);

    const approved = await press(`batch:${batch?.kind === 'batch' ? batch.batch.ref : ''}`);
    expect(approved).toMatch(/Approved 3 of 3/);
    expect(await sql('SELECT state, step FROM playbook_runs')).toMatchObject([{ state: 'done', step: 4 }]);
    expect(await stepRuns()).toEqual([
      ['0', 1],
      ['1', 1],
      ['2', 1],
      ['3', 1],
    ]);
    const [meeting] = await sql('SELECT title, starts_at, duration_minutes FROM meetings');
    expect(meeting).toMatchObject({ title: 'Kickoff: Workshop', duration_minutes: 30, starts_at: Date.parse('2026-11-26T10:00:00Z') });
    expect(await sql('SELECT total_minor, description FROM invoices')).toMatchObject([{ total_minor: 120000, description: '30% deposit: Workshop' }]);
    expect(await count("SELECT count(*) AS n FROM actions WHERE operation = 'email.send' AND state = 'succeeded'")).toBe(1);
    expect((await notice(`playbook:${run!.id}:done`)).map((m) => (m.kind === 'text' ? m.text : ''))).toEqual([
      'Playbook "Kickoff" for Beta GmbH: Workshop: done, all 4 steps.',
    ]);

    // Nothing more on later ticks; /playbooks counts the run, and pause/resume/delete go through the kernel.
    await minuteLater();
    expect(await stepRuns()).toHaveLength(4);
    expect(await say('/playbooks')).toMatch(
      new RegExp(
        `${playbook!.id} · active · "Kickoff" · when a proposal is accepted: memory\\.add_project → calendar\\.book → email\\.send → invoices\\.issue · ran 1× · last 2026-11-25 09:0\\d UTC`,
      ),
    );
    expect(await say(`/playbooks pause ${playbook!.id}`)).toBe(`Playbook ${playbook!.id} is paused.`);
    expect(await say('/playbooks')).toContain('· paused ·');
    expect(await say(`/playbooks resume ${playbook!.id}`)).toBe(`Playbook ${playbook!.id} is resumed.`);
    expect(await say(`/playbooks delete ${playbook!.id}`)).toBe(`Playbook ${playbook!.id} is deleted.`);
    expect(await say('/playbooks')).toMatch(/^No playbooks/);
  });

  it('a run whose templates cannot be read for its record fails at once, proposing nothing, and says why', async () => {
    // The welcome email needs an address: a client without one makes step 3 fail when it runs.
    await say('Add Gamma Ltd as a client');
    await withBillingAddress(keel, 'Gamma Ltd');
    await say('draft a proposal for Gamma: Audit, 10 hours at 100 EUR');
    await keel.tap(cardsIn((await keel.say(ROUTINE)).replies)[0]!.ref);
    await say('Gamma accepted the proposal');
    await minuteLater();
    const [run] = await sql('SELECT id, state, message FROM playbook_runs');
    expect(run).toMatchObject({ state: 'failed' });
    expect(String(run!.message)).toBe('It could not start: The client has no email for {{client.email}}.');
    expect(await count("SELECT count(*) AS n FROM actions WHERE idempotency_key LIKE 'playbook:%' AND operation <> 'operator.notify'")).toBe(0);
    expect((await notice(`playbook:${run!.id}:failed`)).map((m) => (m.kind === 'text' ? m.text : ''))[0]).toMatch(
      /^Playbook "Kickoff" for Gamma Ltd: Audit: It could not start/,
    );
  });

  it('skips a rejected step, and stops at a step that fails, with its reason, never running the ones after it', async () => {
    // A stand-in for the email API (EMAIL_API_KEY) that refuses every message: the welcome email fails for good.
    const api = await startEmailApi(() => ({ status: 422, body: { statusCode: 422, message: 'The to address is not allowed', name: 'validation_error' } }));
    keel.close();
    keel = await startKeel({ url: db.url, clock, env: { EMAIL_API_KEY: api.apiKey, EMAIL_API_URL: api.url, MAIL_FROM: 'Me <me@example.test>' } });
    try {
      await keel.scheduler.sync();
      await keel.tap(cardsIn((await keel.say(ROUTINE)).replies)[0]!.ref);
      await say('Beta accepted the proposal');
      await minuteLater();
      const [run] = await sql('SELECT id FROM playbook_runs');
      const [kickoff, email, deposit] = cardsIn(await notice(`playbook:${run!.id}:gathered`));
      // Review each: the kickoff is rejected and skipped; the deposit, approved early, waits for the steps before it.
      expect(textIn((await keel.tap(kickoff!.ref, 'reject')).replies)).toMatch(/The playbook goes on without it/);
      expect(textIn((await keel.tap(deposit!.ref)).replies)).toMatch(/the playbook carries it out once the steps before it are done/);
      expect(await sql('SELECT state, step FROM playbook_runs')).toMatchObject([{ state: 'running', step: 2 }]);
      const failed = textIn((await keel.tap(email!.ref)).replies);
      expect(failed).toMatch(
        /^Playbook "Kickoff" for Beta GmbH: Workshop stopped at step 3 of 4, send an email: The email API 127\.0\.0\.1:\d+ refused the message to tom@beta\.test \(HTTP 422: .*\); check the address and MAIL_FROM\. The steps after it were not done\.$/m,
      );
      expect(await sql('SELECT state FROM playbook_runs')).toMatchObject([{ state: 'failed' }]);
      expect(await count('SELECT count(*) AS n FROM meetings')).toBe(0);
      expect(await count('SELECT count(*) AS n FROM invoices')).toBe(0);
      expect(await stepRuns()).toEqual([
        ['0', 1],
        ['1', 0],
        ['2', 1],
        ['3', 0],
      ]);
      await minuteLater();
      expect(await count('SELECT count(*) AS n FROM invoices')).toBe(0);
    } finally {
      await api.close();
    }
  });
  it('a step edited on its card (Edit) is carried out as edited, in its turn, once', async () => {
    await keel.tap(cardsIn((await keel.say(ROUTINE)).replies)[0]!.ref);
    await say('Beta accepted the proposal');
    await minuteLater();
    const [run] = await sql('SELECT id FROM playbook_runs');
    const gathered = await notice(`playbook:${run!.id}:gathered`);
    const deposit = cardsIn(gathered)[2]!;
    await press(`edit:${deposit.ref}`);
    const edited = cardsIn((await keel.say('make it 6 hours')).replies).find((c) => c.ref !== deposit.ref)!;
    expect(edited.facts).toContainEqual({ label: 'Total', value: '600.00 EUR' });
    // The edited invoice, approved first, still waits for the kickoff and the email before it.
    expect(textIn((await keel.tap(edited.ref)).replies)).toMatch(/the playbook carries it out once the steps before it are done/);
    expect(await count('SELECT count(*) AS n FROM invoices')).toBe(0);
    const batch = gathered.find((m) => m.kind === 'batch');
    await press(`batch:${batch?.kind === 'batch' ? batch.batch.ref : ''}`);
    expect(await sql('SELECT state FROM playbook_runs')).toMatchObject([{ state: 'done' }]);
    expect(await sql('SELECT total_minor FROM invoices')).toMatchObject([{ total_minor: 60000 }]);
    expect(await count("SELECT count(*) AS n FROM actions WHERE operation = 'invoices.issue' AND state = 'succeeded'")).toBe(1);
  });
});

describe('Keel notices a repeated routine', () => {
  it('offers "make this a playbook?" after the same steps followed an accepted proposal three times, not two', async () => {
    const clock = new ManualClock(NOW);
    const db = tempDatabase();
    const keel = await startKeel({ url: db.url, clock });
    try {
      await keel.scheduler.sync();
      // A few seconds between messages, as when typed.
      const say = async (text: string) => {
        clock.advance(5_000);
        return textIn((await keel.say(text)).replies);
      };
      const tick = async () => {
        clock.advance(61_000);
        await keel.scheduler.tick();
      };
      const offers = async () => (await keel.kernel.list()).filter((a) => a.idempotencyKey.startsWith('suggest-playbook:'));
      const routine = async (client: string) => {
        await say(`Add ${client} as a client, contact ${client.toLowerCase()}@example.test`);
        await say(`draft a proposal for ${client}: workshop, 10 hours at 100 EUR`);
        await say(`${client} accepted the proposal`);
        await say(`new project Workshop for ${client}`);
        await say(`task: send the agenda to ${client}`);
        await tick();
      };
      await routine('Beta');
      await routine('Gamma');
      expect(await offers()).toEqual([]);
      await routine('Delta');
      const offered = await offers();
      const create = offered.find((a) => a.operation === 'playbooks.create')!;
      expect(create.state).toBe('awaiting_approval');
      expect(create.input).toMatchObject({
        trigger: { event: 'proposal_accepted' },
        steps: [
          { operation: 'memory.add_project', input: { name: '{{proposal.title}}', clientId: '{{client.id}}' } },
          { operation: 'memory.add_task', input: { title: 'Send the agenda to {{client.name}}', clientId: '{{client.id}}' } },
        ],
      });
      const notice = offered.find((a) => a.operation === 'operator.notify')!;
      const [question] = (notice.input as { messages: Outbound[] }).messages;
      expect(question).toEqual({
        kind: 'text',
        text: 'You did the same after a proposal is accepted 3 times: memory.add_project → memory.add_task. Make this a playbook? Approve the card and it runs by itself next time.',
      });
      // Asked once: later ticks do not ask again.
      await tick();
      expect(await offers()).toHaveLength(2);
      // Approved, it is a playbook like any other, and fires for the next accepted proposal.
      await keel.tap(create.cardRef!);
      expect(textIn((await keel.say('/playbooks')).replies)).toContain('"After a proposal is accepted"');
    } finally {
      keel.close();
      db.remove();
    }
  });
});
