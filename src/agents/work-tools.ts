import { formatHours, formatMoney } from '../core/money.js';
import { describeLine } from '../core/billing.js';
import { localDate, startOfLocalDay } from '../core/zoned-time.js';
import { clientById, findProjects, openTasks, resolveClient, tasksDueBy, clientProposals, type Client, type Task } from '../records/index.js';
import type { AgentToolArgs } from './intents.js';
import type { ActRequest, ToolContext, ToolOutcome } from './toolbox.js';

type Impl<T extends 'add_project' | 'record_proposal_outcome' | 'send_proposal' | 'add_task' | 'list_tasks' | 'complete_task' | 'link_identity'> = (
  args: AgentToolArgs<T>,
  ctx: ToolContext,
) => Promise<ToolOutcome>;

/** The toolbox's shared steps, passed in so this module does not import the toolbox back. */
export interface ToolHelpers {
  answer(content: string): ToolOutcome;
  client(ctx: ToolContext, query: string): Promise<{ client: Client } | { outcome: ToolOutcome }>;
  act(ctx: ToolContext, req: ActRequest, done: (result: unknown) => string): Promise<ToolOutcome>;
  /** What a card for this operation and input should warn about (an invoice far from the client's history). */
  warnings(ctx: ToolContext, operation: string, input: Record<string, unknown>): Promise<NonNullable<ActRequest['warnings']>>;
}

/** "Fri 27 Nov" for an ISO day, read as a calendar day (no zone shift). */
export const dayLabel = (isoDay: string) =>
  new Date(`${isoDay}T12:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** One line per task for chat and the digest; a task past its day says by how much. */
export function taskLine(task: Task, today: string, clientName?: string): string {
  const who = clientName ? ` (${clientName})` : '';
  if (!task.dueOn) return `${task.title}${who}`;
  const late = daysBetween(task.dueOn, today);
  const when =
    late > 0 ? `OVERDUE since ${dayLabel(task.dueOn)} (${late} day${late === 1 ? '' : 's'})` : late === 0 ? 'due today' : `due ${dayLabel(task.dueOn)}`;
  return `${task.title}${who} — ${when}`;
}

/** What kind of name an alias is: an address, a Telegram or Slack user, or otherwise a name. */
const aliasKind = (alias: string) =>
  /^telegram:\d+$/i.test(alias) ? 'telegram' : /^slack:[a-z0-9]+$/i.test(alias) ? 'slack' : /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alias) ? 'email' : 'name';

/** Projects, proposal outcomes, tasks and further names of a client: records agents keep through the memory connector. */
export function workTools({ answer, client, act }: ToolHelpers) {
  const names = async (ctx: ToolContext, rows: { clientId: string | null }[]) => {
    const map = new Map<string, string>();
    for (const { clientId } of rows) if (clientId && !map.has(clientId)) map.set(clientId, (await clientById(ctx.db, clientId))?.name ?? clientId);
    return map;
  };

  const add_project: Impl<'add_project'> = async ({ name, client: who }, ctx) => {
    const found = who ? await client(ctx, who) : undefined;
    if (found && 'outcome' in found) return found.outcome;
    const c = found?.client;
    return act(
      ctx,
      {
        operation: 'memory.add_project',
        input: { name, clientId: c?.id },
        reason: `The operator started the project "${name}"${c ? ` for ${c.name}` : ''}.`,
        evidence: c ? [c.id] : [],
      },
      (r) => `Started project "${name}"${c ? ` for ${c.name}` : ''} [${(r as { projectId: string }).projectId}].`,
    );
  };

  const record_proposal_outcome: Impl<'record_proposal_outcome'> = async ({ client: who, outcome, proposal: named }, ctx) => {
    const found = await client(ctx, who);
    if ('outcome' in found) return found.outcome;
    const c = found.client;
    const all = await clientProposals(ctx.db, c.id);
    const describe = (p: (typeof all)[number]) => {
      const terms = p.lines
        ? p.lines.map((l) => describeLine(l, p.currency)).join('; ')
        : [p.hoursCenti ? formatHours(p.hoursCenti) : '', p.rateMinor ? `${formatMoney(p.rateMinor, p.currency)}/h` : ''].filter(Boolean).join(' at ');
      return `"${p.title}"${terms ? ` (${terms})` : ''}`;
    };
    const listing = (rows: typeof all) =>
      rows
        .slice(0, 5)
        .map((p) => `• ${describe(p)}, ${p.status}, drafted ${p.createdAt.toISOString().slice(0, 10)} [${p.id}]`)
        .join('\n');
    // The proposal the operator named, else the newest: repeating the sentence acts on the same one, never on "the next".
    const matches = named ? all.filter((p) => p.id === named || p.title.toLowerCase().includes(named.toLowerCase())) : all.slice(0, 1);
    if (!all.length) return answer(`${c.name} has no proposal yet. Draft one first, e.g. "draft a proposal for ${c.name}: …".`);
    if (matches.length !== 1) {
      const which = matches.length ? matches : all;
      return answer(
        `${matches.length ? `Several ${c.name} proposals match "${named}"` : `No ${c.name} proposal matches "${named}"`}; which one?\n${listing(which)}\nName it by its id, e.g. "mark proposal ${which[0]!.id} as ${outcome}".`,
      );
    }
    const proposal = matches[0]!;
    const what = describe(proposal);
    if (proposal.status === outcome) {
      return answer(
        `${c.name}'s proposal ${what} is already ${outcome}${proposal.decidedAt ? ` (since ${proposal.decidedAt.toISOString().slice(0, 10)})` : ''}; nothing changed [${proposal.id}].`,
      );
    }
    // A proposal is sent from draft; accepted or declined from draft or sent.
    const allowed = outcome === 'sent' ? ['draft'] : ['draft', 'sent'];
    if (!allowed.includes(proposal.status)) {
      const open = all.filter((p) => allowed.includes(p.status));
      const others = open.length ? ` To record it for another proposal, name it:\n${listing(open)}` : '';
      return answer(
        `${named ? 'That' : `${c.name}'s latest`} proposal ${what} is ${proposal.status}, so it cannot be marked ${outcome}; nothing changed [${proposal.id}].${others}`,
      );
    }
    const older = all.filter((p) => p.id !== proposal.id && allowed.includes(p.status)).length;
    const others = older && !named ? ` ${c.name} has ${older} other open proposal${older > 1 ? 's' : ''}; this is the newest.` : '';
    return act(
      ctx,
      {
        operation: 'memory.record_proposal_outcome',
        input: { proposalId: proposal.id, outcome },
        reason: `The operator said ${c.name} ${outcome === 'sent' ? 'was sent' : outcome} the proposal ${what}.${others}`,
        evidence: [c.id, proposal.id],
      },
      () => `Recorded: ${outcome === 'sent' ? `proposal ${what} sent to ${c.name}` : `${c.name} ${outcome} ${what}`} [${proposal.id}].${others}`,
    );
  };

  const add_task: Impl<'add_task'> = async ({ title, due, client: who, project }, ctx) => {
    let c: Client | undefined;
    let note = '';
    if (who) {
      const match = await resolveClient(ctx.db, who);
      if (match.status === 'found') c = match.client;
      else if (match.status === 'ambiguous') {
        const found = await client(ctx, who);
        if ('outcome' in found) return found.outcome;
      } else note = ` (I know no client called "${who}", so it is not filed under one.)`;
    }
    let projectId: string | undefined;
    if (project) {
      const matches = await findProjects(ctx.db, project, c?.id);
      if (matches.length !== 1) {
        return answer(
          matches.length
            ? `"${project}" could mean the projects ${matches.map((p) => `"${p.name}"`).join(', ')}. Which one?`
            : `I have no active project called "${project}". Start it with "new project ${project}".`,
        );
      }
      projectId = matches[0]!.id;
      if (!c && matches[0]!.clientId) c = await clientById(ctx.db, matches[0]!.clientId);
    }
    const today = localDate(ctx.clock.now(), ctx.settings.timeZone);
    const past = due && due < today ? ` That day has passed, so it shows as overdue.` : '';
    return act(
      ctx,
      {
        operation: 'memory.add_task',
        input: { title, dueOn: due, clientId: c?.id, projectId },
        reason: `The operator asked to track "${title}"${due ? ` by ${due}` : ''}.`,
        evidence: c ? [c.id] : [],
      },
      (r) => `Added task "${title}"${c ? ` for ${c.name}` : ''}${due ? `, due ${dayLabel(due)}` : ''} [${(r as { taskId: string }).taskId}].${past}${note}`,
    );
  };

  const list_tasks: Impl<'list_tasks'> = async ({ due, client: who }, ctx) => {
    const found = who ? await client(ctx, who) : undefined;
    if (found && 'outcome' in found) return found.outcome;
    const clientId = found?.client.id;
    const now = ctx.clock.now();
    const tz = ctx.settings.timeZone;
    const today = localDate(now, tz);
    const rows =
      due === 'all'
        ? await openTasks(ctx.db, clientId)
        : await tasksDueBy(
            ctx.db,
            due === 'overdue' ? localDate(startOfLocalDay(now, tz, -1), tz) : due === 'today' ? today : localDate(startOfLocalDay(now, tz, 6), tz),
            clientId,
          );
    const label = { overdue: 'overdue', today: 'due today', week: 'due this week', all: 'open' }[due];
    const scope = found ? ` for ${found.client.name}` : '';
    if (!rows.length) return answer(due === 'all' ? `No open tasks${scope}.` : `Nothing is ${label}${scope}.`);
    const clientNames = await names(ctx, rows);
    const lines = rows.map((t) => `• ${taskLine(t, today, t.clientId ? clientNames.get(t.clientId) : undefined)} [${t.id}]`);
    return answer(`Tasks ${label}${scope} (${rows.length}):\n${lines.join('\n')}`);
  };

  const complete_task: Impl<'complete_task'> = async ({ task }, ctx) => {
    const open = await openTasks(ctx.db);
    const words = task
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w.length > 2 && !['the', 'and', 'task'].includes(w));
    const byId = open.filter((t) => t.id === task);
    const exact = open.filter((t) => t.title.toLowerCase() === task.toLowerCase());
    const matching = byId.length ? byId : exact.length ? exact : open.filter((t) => words.length > 0 && words.every((w) => t.title.toLowerCase().includes(w)));
    if (matching.length === 0) return answer(`No open task matches "${task}". Ask "show my tasks" to see them.`);
    if (matching.length > 1) return answer(`"${task}" could be ${matching.map((t) => `"${t.title}" [${t.id}]`).join(', ')}. Which one?`);
    const [t] = matching as [Task];
    return act(
      ctx,
      { operation: 'memory.complete_task', input: { taskId: t.id }, reason: `The operator said "${t.title}" is done.`, evidence: [t.id] },
      () => `Marked "${t.title}" as done [${t.id}].`,
    );
  };

  const link_identity: Impl<'link_identity'> = async ({ client: who, alias }, ctx) => {
    const found = await client(ctx, who);
    if ('outcome' in found) return found.outcome;
    const c = found.client;
    const kind = aliasKind(alias);
    const already = await resolveClient(ctx.db, alias);
    if (already.status === 'found' && already.client.id === c.id) return answer(`${alias} already means ${c.name}.`);
    return act(
      ctx,
      {
        operation: 'memory.link_identity',
        input: { clientId: c.id, kind, value: alias },
        reason: `The operator said ${alias} is ${c.name}.`,
        evidence: [c.id],
      },
      () => `From now on ${alias} means ${c.name} [${c.id}].`,
    );
  };

  const send_proposal: Impl<'send_proposal'> = async ({ client: who, proposal: named }, ctx) => {
    const found = await client(ctx, who);
    if ('outcome' in found) return found.outcome;
    const c = found.client;
    const all = await clientProposals(ctx.db, c.id);
    const drafts = all.filter((p) => p.status === 'draft');
    // The proposal the operator named, else the newest draft: sending is what a draft waits for.
    const matches = named ? all.filter((p) => p.id === named || p.title.toLowerCase().includes(named.toLowerCase())) : drafts.slice(0, 1);
    if (!matches.length) {
      return answer(
        named
          ? `No ${c.name} proposal matches "${named}".`
          : `${c.name} has no drafted proposal to send. Draft one first, e.g. "draft a proposal for ${c.name}: …".`,
      );
    }
    if (matches.length > 1) return answer(`Several ${c.name} proposals match "${named}"; name it by its id: ${matches.map((p) => p.id).join(', ')}.`);
    const proposal = matches[0]!;
    if (proposal.status === 'accepted' || proposal.status === 'declined') {
      return answer(`${c.name}'s proposal "${proposal.title}" is already ${proposal.status}; nothing was sent [${proposal.id}].`);
    }
    if (!c.email) return answer(`${c.name} has no email address, so I cannot send the proposal. Add one first, e.g. "${c.name}'s email is name@example.com".`);
    return act(
      ctx,
      {
        operation: 'proposals.send',
        input: { proposalId: proposal.id },
        reason: `The operator asked to send ${c.name} the proposal "${proposal.title}".`,
        evidence: [c.id, proposal.id],
      },
      (r) =>
        `Sent proposal "${proposal.title}" to ${(r as { emailedTo: string }).emailedTo}, with the link where ${c.name} accepts or declines it [${proposal.id}].`,
    );
  };

  return { add_project, record_proposal_outcome, send_proposal, add_task, list_tasks, complete_task, link_identity };
}
