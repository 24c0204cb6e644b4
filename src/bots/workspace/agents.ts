import { html } from 'hono/html';
import { agentNames, scopes, type AgentName } from '../../agents/index.js';
import type { Seat, WorkspaceDeps } from './deps.js';
import { actionForm, badge, when, type Html } from './layout.js';
import { actionLine, approvalBox, card, operationOf } from './parts.js';

const RECENT_WORK = 5;
const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

async function agentCard(deps: WorkspaceDeps, seat: Seat, name: AgentName): Promise<Html> {
  const scope = scopes[name];
  const [pause, pending, recent] = await Promise.all([
    deps.kernel.pauses.get(name),
    deps.kernel.list({ agent: name, states: ['awaiting_approval'], order: 'newest' }),
    deps.kernel.list({ agent: name, order: 'newest', limit: RECENT_WORK }),
  ]);
  const open = pending.filter((a) => !a.expiresAt || a.expiresAt > deps.clock.now());
  const chips = (items: readonly string[]) => html`<ul class="chips">${items.map((i) => html`<li>${i}</li>`)}</ul>`;
  const toggle = pause
    ? actionForm({ action: `/workspace/agents/${name}/resume`, token: seat.token, button: `Resume ${capitalized(name)}`, kind: 'approve' })
    : actionForm({
        action: `/workspace/agents/${name}/pause`,
        token: seat.token,
        button: `Pause ${capitalized(name)}`,
        confirm: `Pause ${name}? It will propose nothing until you resume it.`,
      });
  return html`<section class="box agent" data-agent="${name}" data-paused="${pause ? 'yes' : 'no'}">
    <h2>${capitalized(name)} ${badge(pause ? 'paused' : 'active')}</h2>
    <p class="muted">${scope.title}${pause ? ` · paused by ${pause.pausedBy} at ${when(pause.pausedAt)}` : ''}</p>
    <div class="buttons">${toggle}</div>
    <h3>Memory it sees</h3>
    ${chips(scope.memory)}
    <h3>What it may ask to do</h3>
    <ul class="chips">${scope.operations.map((o) => html`<li title="${o}">${capitalized(operationOf(deps, o)?.summary ?? o)}</li>`)}</ul>
    <h3>Pending approvals</h3>
    ${open.length ? html`<ul class="list">${await Promise.all(open.map(async (a) => approvalBox(seat, await card(deps, a))))}</ul>` : html`<p class="muted">None.</p>`}
    <h3>Recent work</h3>
    ${recent.length ? html`<ul class="list">${recent.map((a) => actionLine(deps, a))}</ul>` : html`<p class="muted">Nothing yet.</p>`}
  </section>`;
}

/** One card per role agent: its scope, its switch, what waits on the operator, what it did lately. */
export async function agentsPage(deps: WorkspaceDeps, seat: Seat): Promise<Html> {
  return html`<p class="muted">A paused agent proposes nothing: requests routed to it are answered "paused" in chat, and the kernel refuses anything it asks for.</p>
    <div class="grid">${await Promise.all(agentNames.map((name) => agentCard(deps, seat, name)))}</div>`;
}
