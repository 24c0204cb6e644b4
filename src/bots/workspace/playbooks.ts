import { html } from 'hono/html';
import { listPlaybooks, playbookStep, playbookTrigger, stepText, triggerText } from '../../records/index.js';
import type { Seat, WorkspaceDeps } from './deps.js';
import { when, type Html } from './layout.js';

/** A form that sends `/playbooks <verb> <id>` through the conversation; its event id makes a double tap one change. */
const verbForm = (seat: Seat, id: string, verb: 'pause' | 'resume' | 'delete', label: string, style: string): Html =>
  html`<form method="post" action="/workspace/playbooks" class="inline">
    <input type="hidden" name="csrf" value="${seat.token}">
    <input type="hidden" name="event" value="${crypto.randomUUID()}">
    <input type="hidden" name="playbook" value="${id}">
    <input type="hidden" name="verb" value="${verb}">
    <button type="submit" class="${style}">${label}</button>
  </form>`;

/** Each playbook as data — its trigger and its steps in order — with its runs, last run and state, and pause/resume/delete. */
export async function playbooksPage(deps: WorkspaceDeps, seat: Seat): Promise<Html> {
  const list = await listPlaybooks(deps.db);
  if (!list.length) {
    return html`<p class="muted">No playbooks yet. State a routine in chat, e.g. "when a proposal is accepted: create a project for it, send the welcome email", or "every Monday at 9: send me the pipeline".</p>`;
  }
  return html`<ul class="list">
      ${list.map((p) => {
        const steps = playbookStep.array().parse(p.steps);
        return html`<li class="box playbook" id="${p.id}">
          <h2>${p.name} <span class="muted">· ${p.status}</span></h2>
          <p><strong>When</strong> ${triggerText(playbookTrigger.parse(p.trigger))}</p>
          <ol class="trail">${steps.map((s) => html`<li><code>${stepText(s)}</code></li>`)}</ol>
          <p class="muted">Ran ${p.runs}× · last run ${when(p.lastRunAt)} · ${p.compensateOnFailure ? 'a failed step undoes the finished ones' : 'a failed step stops the run'} · <code>${p.id}</code></p>
          ${p.status === 'active' ? verbForm(seat, p.id, 'pause', 'Pause', 'plain') : verbForm(seat, p.id, 'resume', 'Resume', 'approve')}
          ${verbForm(seat, p.id, 'delete', 'Delete', 'reject')}
        </li>`;
      })}
    </ul>`;
}
