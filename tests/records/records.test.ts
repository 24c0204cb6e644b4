import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ManualClock } from '../../src/core/clock.js';
import { scopes } from '../../src/agents/scopes.js';
import { parseIntent } from '../../src/agents/offline-model/index.js';
import { clientRecords, resolveClient } from '../../src/records/index.js';
import { clients, projects, proposals, tasks } from '../../src/records/index.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, type TestKeel } from '../support/keel.js';

// Wednesday 25 November 2026.
const NOW = '2026-11-25T09:00:00Z';

describe('projects, tasks and proposal outcomes from chat', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;
  const clock = new ManualClock(NOW);
  const say = async (text: string) => textIn((await keel.say(text)).replies);

  beforeEach(async () => {
    db = tempDatabase();
    keel = await startKeel({ url: db.url, clock });
    await say('Add Acme Corp as a client, contact dana@acme.test');
  });
  afterEach(() => {
    keel.close();
    db.remove();
  });

  it('records projects and tasks through the kernel, lists what is due, flags what is overdue, and puts both in the digest', async () => {
    expect(await say('new project Website redesign for Acme')).toMatch(/^Started project "Website redesign" for Acme Corp \[proj_\w+\]\.$/);
    expect(await say('task: send the draft to Dana by Friday')).toMatch(/^Added task "Send the draft to Dana" for Acme Corp, due Fri 27 Nov \[task_\w+\]\.$/);
    expect(await say('task: renew the domain by 2026-11-23')).toContain('That day has passed, so it shows as overdue.');
    await say('add a task to plan the Q1 offsite due 2027-01-20');

    const [acme] = await keel.storage.db.select().from(clients);
    const [project] = await keel.storage.db.select().from(projects);
    expect(project).toMatchObject({ name: 'Website redesign', clientId: acme!.id, status: 'active' });
    const all = await keel.storage.db.select().from(tasks);
    expect(all.map((t) => [t.title, t.dueOn, t.clientId])).toEqual([
      ['Send the draft to Dana', '2026-11-27', acme!.id],
      ['Renew the domain', '2026-11-23', null],
      ['Plan the Q1 offsite', '2027-01-20', null],
    ]);
    const ops = (await keel.kernel.list({ states: ['succeeded'] })).map((a) => a.operation);
    expect(ops.filter((op) => op === 'memory.add_task')).toHaveLength(3);
    expect(ops).toContain('memory.add_project');

    const due = await say("what's due this week?");
    expect(due).toContain('Tasks due this week (2):');
    expect(due).toMatch(/• Renew the domain — OVERDUE since Mon 23 Nov \(2 days\) \[task_\w+\]\n• Send the draft to Dana \(Acme Corp\) — due Fri 27 Nov/);
    expect(due).not.toContain('offsite');
    expect(await say('show overdue tasks')).toMatch(/^Tasks overdue \(1\):\n• Renew the domain/);
    expect(await say('status')).toContain(`Tasks due this week: 2 (1 overdue: Renew the domain); "what's due this week?" lists them.`);

    const digest = await say('/digest');
    expect(digest).toContain('Due this week (1 task overdue)');
    expect(digest).toContain('• Task: Renew the domain — OVERDUE since Mon 23 Nov (2 days)');
    expect(digest).toContain('• Task: Send the draft to Dana (Acme Corp) — due Fri 27 Nov');

    // Indexed for recall, cited by id, and only for agents whose scope reads them.
    const known = await say('what do we know about Acme?');
    expect(known).toContain(`[${project!.id}]`);
    expect(known).toContain(`[${all[0]!.id}]`);
    const marketing = await keel.memory.recall({ text: 'send the draft to Dana', kinds: scopes.marketing.memory });
    expect(marketing.filter((h) => h.kind === 'task' || h.kind === 'project')).toEqual([]);

    expect(await say('done: send the draft')).toBe(`Marked "Send the draft to Dana" as done [${all[0]!.id}].`);
    expect(await say("what's due this week?")).not.toContain('Send the draft');
    expect(await say('done: renew')).toContain('Marked "Renew the domain" as done');
    expect(await say('done: something never asked')).toBe('No open task matches "something never asked". Ask "show my tasks" to see them.');

    const records = await clientRecords(keel.storage.db, acme!.id);
    expect(records.projects.map((p) => p.name)).toEqual(['Website redesign']);
    expect(records.tasks.map((t) => t.status)).toEqual(['done']);
  });

  it('records "Acme accepted the proposal" and "Beta declined" on the latest proposal, once, undoably', async () => {
    await say('draft a proposal for Acme: retainer');
    clock.advance(60_000);
    await say('draft a proposal for Acme: 5-day workshop, 40 hours at 150 EUR');
    clock.advance(3 * 86_400_000);
    expect(await say('Acme accepted the proposal')).toMatch(
      /^Recorded: Acme Corp accepted "5-day workshop" \(40 h at 150.00 EUR\/h\) \[prop_\w+\]\. Acme Corp has 1 other open proposal; this is the newest\.$/,
    );
    const [acme] = await keel.storage.db.select().from(proposals).where(eq(proposals.title, '5-day workshop'));
    expect(acme).toMatchObject({ status: 'accepted', decidedAt: new Date('2026-11-28T09:01:00Z') });
    // Saying it again changes nothing: the older, unpriced proposal is not accepted in its place.
    expect(await say('Acme accepted the proposal')).toMatch(
      /^Acme Corp's proposal "5-day workshop" \(40 h at 150.00 EUR\/h\) is already accepted \(since 2026-11-28\); nothing changed \[prop_\w+\]\.$/,
    );
    const [older] = await keel.storage.db.select().from(proposals).where(eq(proposals.title, 'Retainer'));
    expect(older?.status).toBe('draft');

    await say('Add Beta GmbH as a client, contact lee@beta.test');
    await say('draft a proposal for Beta: 2-day audit, 16 hours at 140 EUR');
    expect(await say('Beta declined')).toMatch(/^Recorded: Beta GmbH declined "2-day audit"/);
    const [beta] = await keel.storage.db.select().from(proposals).where(eq(proposals.title, '2-day audit'));
    expect(beta!.status).toBe('declined');
    const [action] = (await keel.kernel.list({ states: ['succeeded'] })).filter(
      (a) => a.operation === 'memory.record_proposal_outcome' && (a.input as { outcome: string }).outcome === 'declined',
    );
    expect(action!.evidence).toContain(beta!.id);
    // Restoring an outcome cannot itself be undone, so the undo waits for the operator's tap.
    const [undo] = cardsIn((await keel.say(`/undo ${action!.id}`)).replies);
    await keel.tap(undo!.ref);
    expect((await keel.storage.db.select().from(proposals).where(eq(proposals.id, beta!.id)))[0]!.status).toBe('draft');
  });

  it('links further addresses, chat users and names to a client from chat', async () => {
    expect(await say('dana.private@gmail.com is also Dana')).toMatch(/^From now on dana\.private@gmail\.com means Acme Corp \[cli_\w+\]\.$/);
    expect(await say('link telegram:4242 to Acme')).toMatch(/^From now on telegram:4242 means Acme Corp/);
    expect(await say('Acme also goes by ACME Inc')).toMatch(/^From now on ACME Inc means Acme Corp/);
    const [acme] = await keel.storage.db.select().from(clients);
    for (const name of ['dana.private@gmail.com', 'telegram:4242', 'acme inc']) {
      expect(await resolveClient(keel.storage.db, name)).toMatchObject({ status: 'found', client: { id: acme!.id } });
    }
    expect(await say('who is dana.private@gmail.com?')).toContain(`[${acme!.id}]`);
    expect(await say('link telegram:4242 to Acme')).toBe('telegram:4242 already means Acme Corp.');
    const kinds = (await keel.kernel.list({ states: ['succeeded'] }))
      .filter((a) => a.operation === 'memory.link_identity')
      .map((a) => (a.input as { kind: string }).kind);
    expect(kinds.sort()).toEqual(['email', 'name', 'telegram']);
  });

  it('asks which client when a first name belongs to two', async () => {
    await say('Add Dana Design as a client, contact dana@design.test');
    await say('draft a proposal for Acme Corp: audit, 10 hours at 100 EUR');
    expect(await say('Dana accepted the proposal')).toMatch(/"Dana" could mean Acme Corp \(Dana\), Dana Design \(Dana\)\. Which one\?/);
    expect(await say('task: send the brief to Dana by Friday')).toMatch(/"Dana" could mean .*Which one\?/);
    expect(await keel.count("proposals WHERE status = 'accepted'")).toBe(0);
    expect(await keel.count('tasks')).toBe(0);
  });
});

describe('the offline model reads work records', () => {
  const at = { now: new Date(NOW), timeZone: 'UTC' };
  it.each([
    ['new project Website redesign for Acme', 'add_project', { name: 'Website redesign', client: 'Acme' }],
    ['start a project for Acme Corp: Brand refresh', 'add_project', { name: 'Brand refresh', client: 'Acme Corp' }],
    ['new project Internal tooling', 'add_project', { name: 'Internal tooling' }],
    ['Acme accepted the proposal', 'record_proposal_outcome', { client: 'Acme', outcome: 'accepted' }],
    ['Beta declined', 'record_proposal_outcome', { client: 'Beta', outcome: 'declined' }],
    ['Dana said yes to the quote', 'record_proposal_outcome', { client: 'Dana', outcome: 'accepted' }],
    ['the proposal for Acme Corp was turned down', 'record_proposal_outcome', { client: 'Acme Corp', outcome: 'declined' }],
    ["Acme's proposal was signed", 'record_proposal_outcome', { client: 'Acme', outcome: 'accepted' }],
    ['mark the Acme proposal as sent', 'record_proposal_outcome', { client: 'Acme', outcome: 'sent' }],
    ['task: send the draft to Dana by Friday', 'add_task', { title: 'Send the draft to Dana', due: '2026-11-27', client: 'Dana' }],
    ['add a task to renew the domain', 'add_task', { title: 'Renew the domain' }],
    ['new deadline: VAT return by 10 January', 'add_task', { title: 'VAT return', due: '2027-01-10' }],
    ['todo: prepare the Friday update tomorrow', 'add_task', { title: 'Prepare the Friday update', due: '2026-11-26' }],
    ["what's due this week?", 'list_tasks', { due: 'week' }],
    ['what is due today', 'list_tasks', { due: 'today' }],
    ['show overdue tasks', 'list_tasks', { due: 'overdue' }],
    ['show my tasks for Acme', 'list_tasks', { due: 'all', client: 'Acme' }],
    ['done: send the draft to Dana', 'complete_task', { task: 'send the draft to Dana' }],
    ['mark the task renew the domain as done', 'complete_task', { task: 'renew the domain' }],
    ['dana.private@gmail.com is also Dana', 'link_identity', { client: 'Dana', alias: 'dana.private@gmail.com' }],
    ['link telegram:4242 to Acme Corp', 'link_identity', { client: 'Acme Corp', alias: 'telegram:4242' }],
    ['Acme also goes by ACME Inc', 'link_identity', { client: 'Acme', alias: 'ACME Inc' }],
  ])('%s → %s', (text, tool, args) => {
    expect(parseIntent(text, at)).toEqual({ kind: 'tool', tool, args });
  });

  it.each([
    ["what's overdue?", 'list_invoices'],
    ['mark invoice 2026-0003 as paid', 'record_payment'],
    ['draft a proposal for Beta: 2-day workshop, 16 hours at 150 EUR', 'draft_proposal'],
    ['remember that Acme declined our first offer', 'remember_note'],
  ])('leaves "%s" to %s', (text, tool) => {
    expect(parseIntent(text, at)).toMatchObject({ kind: 'tool', tool });
  });

  it('does not read a sentence without a client as an outcome', () => {
    expect(parseIntent('we finally declined', at)).toMatchObject({ kind: 'help' });
  });
});
