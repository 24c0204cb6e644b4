import { html } from 'hono/html';
import { cardFor } from '../../agents/index.js';
import { UnknownOperation, type Action, type Operation } from '../../kernel/index.js';
import { memoryDocument } from '../../memory/index.js';
import type { ApprovalCard } from '../../graph/index.js';
import { cardStatus, expiryLine } from '../presenter/index.js';
import type { Seat, WorkspaceDeps } from './deps.js';
import { clientById, invoiceByNumber, playbookRunOfKey, proposalsByIds, type Invoice, type Proposal } from '../../records/index.js';
import { formatMoney } from '../../core/money.js';
import { billingTotals, issueLines } from '../../core/billing.js';
import { actionForm, badge, when, type Html } from './layout.js';
import type { HtmlEscapedString } from 'hono/utils/html';

export const actionHref = (id: string) => `/workspace/actions/${encodeURIComponent(id)}`;
export const memoryHref = (id: string) => `/workspace/memory/${encodeURIComponent(id)}`;
const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The operation behind an action, unless this configuration no longer registers it (webhook.post without WEBHOOK_URL). */
export function operationOf(deps: WorkspaceDeps, name: string): Operation | undefined {
  try {
    return deps.kernel.operation(name);
  } catch (error) {
    if (error instanceof UnknownOperation) return undefined;
    throw error;
  }
}

/** "Issue an invoice", from the operation's own summary: one line per timeline entry without a read per row. */
export const actionTitle = (deps: WorkspaceDeps, action: Action) => {
  const op = operationOf(deps, action.operation);
  return op ? capitalized(op.summary) : action.operation;
};

/** The action's card as chat shows it; an action of an operation no longer configured gets a plain one from the ledger row. */
export const card = (deps: WorkspaceDeps, action: Action): Promise<ApprovalCard> =>
  cardFor(deps.db, action, operationOf(deps, action.operation), deps.timeZone);

/**
 * Evidence ids as links: an action opens its own "why", a remembered thing
 * (client, invoice, note, summary…) opens what memory holds; anything else
 * (the operator's message that asked) is shown as its id.
 */
export async function evidenceLinks(deps: WorkspaceDeps, ids: string[]): Promise<Html> {
  if (!ids.length) return html`<p class="muted">No evidence recorded.</p>`;
  await deps.memory.sync();
  const items = await Promise.all(
    ids.map(async (id) => {
      if ((await deps.kernel.get(id)) !== undefined) return html`<li><a href="${actionHref(id)}">action <code>${id}</code></a></li>`;
      const doc = await memoryDocument(deps.db, id);
      if (doc) return html`<li><a href="${memoryHref(id)}">${doc.kind} <code>${id}</code></a> <span class="muted">${excerpt(doc.text)}</span></li>`;
      return html`<li><code>${id}</code>${id.startsWith('msg:') ? html` <span class="muted">the operator's message that asked</span>` : ''}</li>`;
    }),
  );
  return html`<ul class="list evidence">${items}</ul>`;
}

export const excerpt = (text: string, max = 140) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** An approval card as the workspace shows it, with Approve / Reject while it is open. */
export function approvalBox(seat: Seat, c: ApprovalCard, opts: { onItsPage?: boolean } = {}): Html {
  const status = cardStatus(c);
  const facts = c.facts.map((f) => html`<dt>${f.label}</dt><dd>${f.value}</dd>`);
  return html`<li class="approval" data-ref="${c.ref}" data-state="${c.state}">
    <h3><a href="${actionHref(c.actionId)}">${c.title}</a></h3>
    <dl class="facts">${facts}</dl>
    ${
      opts.onItsPage
        ? html`<p class="meta">${c.agent} agent${c.expiresAt ? ` · ${expiryLine(c)}` : ''}</p>`
        : html`<p><strong>Why:</strong> ${c.reason}</p>
            <p class="meta">${c.agent} agent${c.expiresAt ? ` · ${expiryLine(c)}` : ''} · <a href="${actionHref(c.actionId)}">evidence and details</a></p>`
    }
    ${
      status
        ? html`<p class="status">${status}</p>`
        : html`<div class="buttons">
            ${actionForm({ action: '/workspace/decisions', token: seat.token, fields: { ref: c.ref, decision: 'approve' }, button: 'Approve', kind: 'approve' })}
            ${actionForm({ action: '/workspace/decisions', token: seat.token, fields: { ref: c.ref, decision: 'reject' }, button: 'Reject', kind: 'reject' })}
          </div>`
    }
  </li>`;
}

/** One ledger action as a line: what, for whom, which number and amount, by whom, its state, when; opens its "why". */
export async function actionLine(deps: WorkspaceDeps, action: Action, subject?: ActionSubject): Promise<HtmlEscapedString> {
  const about = subject ?? (await subjectOf(deps, action));
  return html`<li class="entry" data-action="${action.id}" data-state="${action.state}">
    <a class="title" href="${actionHref(action.id)}">${subjectTitle(deps, action, about)}</a>
    ${badge(action.state)}
    <span class="meta">${action.agent} · ${when(action.createdAt)}${about.playbook ? html` · ${playbookLink(about)}` : ''}</span>
  </li>`;
}

/** What an action is about, as the operator names it: the client, the invoice number, the amount, and the record as it stands now. */
export interface ActionSubject {
  clientId?: string | undefined;
  clientName?: string | undefined;
  number?: string | undefined;
  amount?: string | undefined;
  invoice?: Invoice | undefined;
  proposal?: Proposal | undefined;
  /** The playbook run that proposed it, if one did. */
  playbook?: { playbookId: string; name: string; run: number } | undefined;
}

/** "from playbook Kickoff, run 2", linking to the playbook on the Playbooks page. */
export const playbookLink = (subject: ActionSubject): Html | '' =>
  subject.playbook
    ? html`<a class="from-playbook" href="/workspace/playbooks#${subject.playbook.playbookId}">from playbook ${subject.playbook.name}, run ${subject.playbook.run}</a>`
    : '';

/** The run an action belongs to: by its key, or for an edited step's replacement, by the superseded card it cites. */
async function playbookOf(deps: WorkspaceDeps, action: Action): Promise<ActionSubject['playbook']> {
  let found: Action | undefined = action;
  for (let hops = 0; found && hops < 20; hops++) {
    const run = await playbookRunOfKey(deps.db, found.idempotencyKey);
    if (run) return run;
    const replaced: string | undefined = found.evidence.find((e) => e.startsWith('act_'));
    found = replaced ? await deps.kernel.get(replaced) : undefined;
    if (found?.state !== 'superseded') return undefined;
  }
  return undefined;
}

/**
 * The record an action touched, read now: a payment or void names only the invoice number, a proposal
 * outcome only the proposal, so the client comes from that record. Read per action; the timeline shows at most 100.
 */
export async function subjectOf(deps: WorkspaceDeps, action: Action): Promise<ActionSubject> {
  const input = (action.input ?? {}) as Record<string, unknown>;
  const result = (action.result ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const number = action.operation.startsWith('invoices.') ? (text(input.number) ?? text(result.number)) : undefined;
  const invoice = number ? await invoiceByNumber(deps.db, number) : undefined;
  const proposalId = text(input.proposalId) ?? (action.operation === 'records.draft_proposal' ? text(result.proposalId) : undefined);
  const [proposal] = proposalId ? await proposalsByIds(deps.db, [proposalId]) : [];
  const clientId = text(input.clientId) ?? invoice?.clientId ?? proposal?.clientId ?? undefined;
  const client = clientId ? await clientById(deps.db, clientId) : undefined;
  // An invoice not issued yet is its card's total: its lines with their VAT, as the card says.
  const asked = action.operation === 'invoices.issue' && typeof input.currency === 'string' ? issueLines(input) : undefined;
  const amount = invoice
    ? formatMoney(invoice.totalMinor, invoice.currency)
    : asked
      ? formatMoney(billingTotals(asked).grossMinor, String(input.currency))
      : proposal?.totalMinor !== null && proposal?.totalMinor !== undefined
        ? formatMoney(proposal.totalMinor, proposal.currency)
        : undefined;
  return {
    clientId,
    clientName: client?.name ?? (action.operation === 'records.upsert_client' ? text(input.name) : undefined),
    number,
    amount,
    invoice,
    proposal,
    playbook: await playbookOf(deps, action),
  };
}

/** "Record a payment — Beta, 2026-0002, 1,800.00 EUR": the line's words, from the action and the record it touched. */
export const subjectTitle = (deps: WorkspaceDeps, action: Action, subject: ActionSubject) => {
  const about = [subject.clientName, subject.number, subject.amount].filter(Boolean).join(', ');
  return `${actionTitle(deps, action)}${about ? ` — ${about}` : ''}`;
};
