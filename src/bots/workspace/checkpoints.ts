import { html } from 'hono/html';
import type { Action } from '../../kernel/index.js';
import type { TimelineStep } from '../../graph/index.js';
import type { Seat, WorkspaceDeps } from './deps.js';
import { actionForm, type Html } from './layout.js';
import { actionLine, approvalBox, card, excerpt } from './parts.js';

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

/** Steps read to group into turns: each message takes 5–8 checkpoints, so this covers the last dozen or so turns. */
const STEPS_READ = 120;
const TURNS = 15;

/**
 * The conversation one row per turn, newest first: the message that started it, the actions it took, and
 * "rewind to here" (its last checkpoint, where the next message continued); its internal steps, each with
 * its own rewind, are on demand.
 */
export async function checkpointsPage(deps: WorkspaceDeps, seat: Seat): Promise<Html> {
  const steps = await deps.timeline.steps(STEPS_READ);
  if (!steps.length) return html`<p class="muted">Nothing has happened in this conversation yet.</p>`;
  const turns: { key: string; steps: TimelineStep[] }[] = [];
  for (const step of steps) {
    const key = step.turn ?? `step:${step.checkpointId}`;
    const last = turns.at(-1);
    if (last?.key === key) last.steps.push(step);
    else turns.push({ key, steps: [step] });
  }
  const seen = new Set<string>();
  const rewindButton = (step: TimelineStep, label: string) =>
    actionForm({
      action: '/workspace/rewind',
      token: seat.token,
      fields: { checkpoint: step.checkpointId },
      button: label,
      confirm: 'Take the conversation back to this point?',
    });
  const rows = turns.slice(0, TURNS).map((turn, index) => {
    const head = turn.steps[0]!;
    const said = turn.steps.find((s) => s.said)?.said;
    // A turn's actions are listed once, at its newest row.
    const fresh = head.actions.filter((a) => !seen.has(a.id));
    for (const a of fresh) seen.add(a.id);
    return html`<li class="checkpoint turn" data-checkpoint="${head.checkpointId}">
      <p>${said ? html`“${excerpt(said, 160)}”` : html`<span class="muted">${turn.key.startsWith('step:') ? 'The start of the conversation' : 'A decision on a card'}</span>`}</p>
      ${fresh.length ? html`<ul class="list">${fresh.map((a) => actionLine(deps, a))}</ul>` : ''}
      ${index === 0 ? html`<p class="muted">The conversation is here now.</p>` : html`<div class="buttons">${rewindButton(head, 'Rewind to here')}</div>`}
      <details class="steps"><summary>${turn.steps.length} internal step${turn.steps.length === 1 ? '' : 's'}</summary>
        <ol>${turn.steps.map(
          (s) => html`<li>Step ${s.step} · ${s.next.length ? `before ${s.next.join(', ')}` : 'end of turn'} · <code>${s.checkpointId.slice(-12)}</code>
            ${index === 0 && s === head ? '' : rewindButton(s, 'Rewind to this step')}</li>`,
        )}</ol>
      </details>
    </li>`;
  });
  return html`<p class="muted">Rewinding takes the conversation back to a point: cards proposed after it are withdrawn; actions that already happened are not undone (each can be, from its page) and are never repeated.</p>
    <ul class="list checkpoints">${rows}</ul>`;
}
