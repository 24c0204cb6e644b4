import { html } from 'hono/html';
import { cardFor } from '../../agents/index.js';
import { UnknownOperation, type Action, type Operation } from '../../kernel/index.js';
import { memoryDocument } from '../../memory/index.js';
import type { ApprovalCard } from '../../graph/index.js';
import { cardStatus, expiryLine } from '../presenter/index.js';
import type { Seat, WorkspaceDeps } from './deps.js';
import { actionForm, badge, when, type Html } from './layout.js';

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

/** One ledger action as a line: what, by whom, its state, when; opens its "why". */
export function actionLine(deps: WorkspaceDeps, action: Action, clientName?: string): Html {
  return html`<li class="entry" data-action="${action.id}" data-state="${action.state}">
    <a class="title" href="${actionHref(action.id)}">${actionTitle(deps, action)}${clientName ? ` · ${clientName}` : ''}</a>
    ${badge(action.state)}
    <span class="meta">${action.agent} · ${when(action.createdAt)}</span>
  </li>`;
}
