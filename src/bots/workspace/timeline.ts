import { html } from 'hono/html';
import { agentNames, outcomeFiles } from '../../agents/index.js';
import type { Action, ActionState, AuditRow } from '../../kernel/index.js';
import { contextMap } from '../../memory/index.js';
import type { Seat, WorkspaceDeps } from './deps.js';
import { actionForm, badge, when, words, type Html } from './layout.js';
import { actionHref, actionLine, approvalBox, card, evidenceLinks, operationOf, playbookLink, subjectOf, type ActionSubject } from './parts.js';

const states: ActionState[] = ['awaiting_approval', 'approved', 'running', 'succeeded', 'rejected', 'expired', 'failed', 'compensated', 'needs_attention'];
/** Decisions that leave no action behind: a request the kernel refused, the operator's pause switch. */
const decisionEvents = ['refused', 'agent_paused', 'agent_resumed'];
const REFUSED = 'refused';
const TIMELINE_LIMIT = 100;
/** How far back a client filter looks for that client's actions among all of them. */
const CLIENT_SCAN_LIMIT = 500;

export interface TimelineFilter {
  agent?: string;
  client?: string;
  state?: string;
}

const option = (value: string, label: string, selected: string | undefined) =>
  html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;

function eventLine(event: AuditRow): Html {
  const detail = event.detail ?? {};
  const agent = typeof detail.agent === 'string' ? detail.agent : event.actor;
  const [title, state] =
    event.event === REFUSED
      ? [`Refused: ${event.operation ?? 'a request'} ${detail.paused ? '(the agent is paused)' : '(outside its scope)'}`, REFUSED]
      : event.event === 'agent_paused'
        ? [`${agent} paused`, 'paused']
        : [`${agent} resumed`, 'active'];
  return html`<li class="entry event" data-event="${event.event}">
    <span class="title">${title}</span>
    ${badge(state)}
    <span class="meta">${event.actor} · ${when(event.at)}</span>
  </li>`;
}

/** Every kernel action and every decision that left no action, newest first, filterable by agent, client and state; each action opens its "why". */
export async function timelinePage(deps: WorkspaceDeps, filter: TimelineFilter): Promise<Html> {
  const clients = (await contextMap(deps.db)).map((c) => c.client);
  const names = new Map(clients.map((c) => [c.id, c.name]));
  const agent = agentNames.find((a) => a === filter.agent);
  const state = [...states, REFUSED].find((s) => s === filter.state);
  const actionState = states.find((s) => s === state);
  const clientId = filter.client && names.has(filter.client) ? filter.client : undefined;
  // A client's payments, voids and proposal outcomes name an invoice or a proposal, not the client: the filter reads each action's subject.
  const [listed, events] = await Promise.all([
    state === REFUSED
      ? []
      : deps.kernel.list({ order: 'newest', limit: clientId ? CLIENT_SCAN_LIMIT : TIMELINE_LIMIT, agent, states: actionState ? [actionState] : undefined }),
    // Refusals and pause switches name no client, and have no action state.
    clientId || actionState ? [] : deps.kernel.events({ events: state === REFUSED ? [REFUSED] : decisionEvents, limit: TIMELINE_LIMIT }),
  ]);
  const subjects = await Promise.all(listed.map(async (a) => ({ action: a, subject: await subjectOf(deps, a) })));
  const actions = subjects.filter((s) => !clientId || s.subject.clientId === clientId).slice(0, TIMELINE_LIMIT);
  const entries = [
    ...actions.map(({ action, subject }) => ({ at: action.createdAt.getTime(), line: actionLine(deps, action, subject) })),
    ...events.filter((e) => !agent || e.actor === agent || e.detail?.agent === agent).map((e) => ({ at: e.at.getTime(), line: eventLine(e) })),
  ]
    .sort((a, b) => b.at - a.at)
    .slice(0, TIMELINE_LIMIT);
  return html`
    <form class="filters" method="get" action="/workspace">
      <label>Agent<select name="agent">${option('', 'All agents', agent)}${agentNames.map((a) => option(a, a, agent))}</select></label>
      <label>Client<select name="client">${option('', 'All clients', clientId)}${clients.map((c) => option(c.id, c.name, clientId))}</select></label>
      <label>State<select name="state">${option('', 'Any state', state)}${[...states, REFUSED].map((s) => option(s, words(s), state))}</select></label>
      <button type="submit">Filter</button>
    </form>
    ${
      entries.length
        ? html`<ul class="list timeline">${entries.map((e) => e.line)}</ul>
            ${entries.length === TIMELINE_LIMIT ? html`<p class="muted">The newest ${TIMELINE_LIMIT} are shown; narrow the filters to see older ones.</p>` : ''}`
        : html`<p class="muted">Nothing${agent || clientId || state ? ' matches these filters' : ' has happened yet'}.</p>`
    }`;
}

function trailLine(row: AuditRow): Html {
  const detail = row.detail && Object.keys(row.detail).length ? html` <code>${JSON.stringify(row.detail)}</code>` : '';
  return html`<li><strong>${words(row.event)}</strong> · ${row.actor} · ${when(row.at)}${detail}</li>`;
}

/** An action's "why": the agent's reasons, the evidence it relied on, the decision, the outcome, each attempt, and undo. */
export async function whyPage(deps: WorkspaceDeps, seat: Seat, action: Action, fileHref: (fileId: string) => Promise<string>): Promise<Html> {
  const documents = await Promise.all(
    outcomeFiles(action).map(
      async (f) =>
        html`<li><a href="${await fileHref(f.file.id)}" download="${f.file.name}">📎 ${f.file.name}</a>${f.file.caption ? ` — ${f.file.caption}` : ''}</li>`,
    ),
  );
  const op = operationOf(deps, action.operation);
  const c = await card(deps, action);
  const trail = await deps.kernel.trail(action.id);
  const retries = trail.filter((r) => r.event === 'retry').length;
  const subject = await subjectOf(deps, action);
  const blocked = op?.compensation.kind === 'operation' ? compensationBlocked(op.compensation.operation, subject) : undefined;
  const undo = !op
    ? html`<p class="muted">${action.operation} is not configured now, so it cannot be undone from here.</p>`
    : op.compensation.kind === 'irreversible'
      ? html`<p class="muted">This cannot be undone: ${op.compensation.note}.</p>`
      : blocked && action.state === 'succeeded'
        ? html`<p class="muted">This cannot be undone now: ${blocked}</p>`
        : action.state === 'succeeded'
          ? html`<p>Undoing it proposes the compensating action (${op.compensation.operation}); it waits for your approval when it leaves Keel.</p>
            ${actionForm({ action: `${actionHref(action.id)}/compensate`, token: seat.token, button: 'Compensate', kind: 'danger', confirm: 'Undo this action?' })}`
          : html`<p class="muted">Only a succeeded action can be undone; this one is ${words(action.state)}.</p>`;
  return html`
    <ul class="list">${approvalBox(seat, c, { onItsPage: true })}</ul>
    <h2>Why</h2>
    <div class="box">
      <p>${action.reason}</p>
      <p class="meta">Proposed by the ${action.agent} agent at ${when(action.createdAt)}${subject.playbook ? html`, ${playbookLink(subject)}` : ''} · operation <code>${action.operation}</code> · action <code>${action.id}</code></p>
    </div>
    <h2>Evidence</h2>
    ${await evidenceLinks(deps, action.evidence)}
    <h2>Decision</h2>
    <div class="box">${
      action.requiresApproval
        ? action.decidedBy
          ? html`<p>${badge(action.state === 'rejected' ? 'rejected' : 'approved')} by ${action.decidedBy} at ${when(action.decidedAt)}</p>`
          : html`<p>${badge(action.state)} ${action.expiresAt ? html`· expires ${when(action.expiresAt)}` : ''}</p>`
        : html`<p>No approval needed: it stays inside Keel and can be undone.</p>`
    }</div>
    <h2>Now</h2>
    <div class="box now">${currentState(subject)}</div>
    <h2>Outcome</h2>
    <div class="box outcome">
      <p>${badge(action.state)} after ${action.attempts} attempt${action.attempts === 1 ? '' : 's'}${retries ? `, ${retries} retr${retries === 1 ? 'y' : 'ies'}` : ''}</p>
      ${documents.length ? html`<ul class="documents">${documents}</ul>` : ''}
      ${action.result !== null && action.result !== undefined ? html`<p class="meta">Recorded when it ran (the record may have changed since; see Now):</p><pre>${JSON.stringify(action.result, null, 2)}</pre>` : ''}
      ${action.error ? html`<p class="refusal">${action.error}</p>` : ''}
      ${action.compensates ? html`<p>Undoes <a href="${actionHref(action.compensates)}">${action.compensates}</a>.</p>` : ''}
      ${action.compensatedBy ? html`<p>Undone by <a href="${actionHref(action.compensatedBy)}">${action.compensatedBy}</a>.</p>` : ''}
    </div>
    <h2>Audit trail</h2>
    <ol class="trail">${trail.map(trailLine)}</ol>
    <h2>Undo</h2>
    <div class="box">${undo}</div>`;
}

/** The record the action touched as it stands now, next to what the action recorded at its time. */
function currentState(subject: ActionSubject): Html {
  const { invoice, proposal } = subject;
  if (invoice) {
    const paid = invoice.status === 'paid' && invoice.paidAt ? ` on ${when(invoice.paidAt)}` : '';
    return html`<p>Invoice ${invoice.number}${subject.clientName ? ` to ${subject.clientName}` : ''}, ${subject.amount}: ${badge(invoice.status)}${paid}</p>`;
  }
  if (proposal)
    return html`<p>Proposal “${proposal.title}”${subject.clientName ? ` for ${subject.clientName}` : ''}${subject.amount ? `, ${subject.amount}` : ''}: ${badge(proposal.status)}</p>`;
  if (subject.clientName) return html`<p>Client ${subject.clientName}.</p>`;
  return html`<p class="muted">No record to show beyond the outcome below.</p>`;
}

/** Why a compensation would be refused now, read from the record: a paid invoice cannot be voided, an unpaid one cannot be reopened. */
function compensationBlocked(operation: string, subject: ActionSubject): string | undefined {
  const { invoice } = subject;
  if (!invoice) return undefined;
  if (operation === 'invoices.void' && invoice.status !== 'sent') {
    return invoice.status === 'paid'
      ? `invoice ${invoice.number} is paid; record the refund first, then void it.`
      : `invoice ${invoice.number} is ${invoice.status}.`;
  }
  if (operation === 'invoices.reopen' && invoice.status !== 'paid') return `invoice ${invoice.number} is ${invoice.status}, not paid.`;
  if (operation === 'invoices.record_payment' && invoice.status !== 'sent') return `invoice ${invoice.number} is ${invoice.status}.`;
  return undefined;
}
