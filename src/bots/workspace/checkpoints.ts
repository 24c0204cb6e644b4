import { html } from 'hono/html';
import type { Action } from '../../kernel/index.js';
import type { Seat, WorkspaceDeps } from './deps.js';
import { actionForm, type Html } from './layout.js';
import { actionLine, approvalBox, card, excerpt } from './parts.js';

const STEPS = 25;

/** Cards still open, oldest first (as a queue reads); past-deadline cards are left to the expiry job. */
export async function openApprovals(deps: WorkspaceDeps): Promise<Action[]> {
  const now = deps.clock.now();
  return (await deps.kernel.list({ states: ['awaiting_approval'] })).filter((a) => !a.expiresAt || a.expiresAt > now);
}

/** The approvals queue, each card decidable here exactly as from a chat app. */
export async function approvalsPage(deps: WorkspaceDeps, seat: Seat): Promise<Html> {
  const open = await openApprovals(deps);
  if (!open.length) return html`<p class="muted">Nothing waits for your approval.</p>`;
  return html`<ul class="list approvals">${await Promise.all(open.map(async (a) => approvalBox(seat, await card(deps, a))))}</ul>`;
}

/** The conversation's checkpoints, newest first, each with the actions of its turn and "rewind to here". */
export async function checkpointsPage(deps: WorkspaceDeps, seat: Seat): Promise<Html> {
  const steps = await deps.timeline.steps(STEPS);
  if (!steps.length) return html`<p class="muted">Nothing has happened in this conversation yet.</p>`;
  const seen = new Set<string>();
  return html`<p class="muted">Rewinding takes the conversation back to a checkpoint; actions that already happened are recognised by their keys and not repeated.</p>
    <ul class="list checkpoints">${steps.map((step, index) => {
      // A turn's actions are listed once, at its newest checkpoint.
      const fresh = step.actions.filter((a) => !seen.has(a.id));
      for (const a of fresh) seen.add(a.id);
      return html`<li class="checkpoint" data-checkpoint="${step.checkpointId}">
        <p><strong>Step ${step.step}</strong> · ${step.next.length ? `before ${step.next.join(', ')}` : 'end of turn'} · <code>${step.checkpointId.slice(-12)}</code></p>
        ${step.said ? html`<p>“${excerpt(step.said, 160)}”</p>` : ''}
        ${fresh.length ? html`<ul class="list">${fresh.map((a) => actionLine(deps, a))}</ul>` : ''}
        ${
          index === 0
            ? html`<p class="muted">The conversation is here now.</p>`
            : html`<div class="buttons">${actionForm({ action: '/workspace/rewind', token: seat.token, fields: { checkpoint: step.checkpointId }, button: 'Rewind to here', confirm: 'Take the conversation back to this step?' })}</div>`
        }
      </li>`;
    })}</ul>`;
}
