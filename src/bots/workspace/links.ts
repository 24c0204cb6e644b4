import { html } from 'hono/html';
import { clientById } from '../../records/index.js';
import type { ClientLinks } from '../pages/index.js';
import type { Seat, WorkspaceDeps } from './deps.js';
import { actionForm, badge, when, type Html } from './layout.js';

/** The client links still open — proposal, invoice and booking pages — each with Revoke (and Pause or Resume for a booking page). */
export async function linksPage(deps: WorkspaceDeps & { links: ClientLinks }, seat: Seat): Promise<Html> {
  const open = await deps.links.active();
  if (!open.length)
    return html`<h1>Client links</h1><p class="muted">No client links are open. Sending a proposal or an invoice makes one; /links booking &lt;client&gt; in chat makes a booking page.</p>`;
  const rows = await Promise.all(
    open.map(async (link) => {
      const client = (await clientById(deps.db, link.clientId))?.name ?? link.clientId;
      const what = link.kind === 'booking' ? 'booking page' : `${link.kind} ${link.subject}`;
      const pause =
        link.kind === 'booking'
          ? actionForm({
              action: `/workspace/links/${link.id}/${link.pausedAt ? 'resume' : 'pause'}`,
              token: seat.token,
              button: link.pausedAt ? 'Resume' : 'Pause',
            })
          : '';
      return html`<li class="box" data-link="${link.id}">
        <strong>${client}</strong> · ${what} ${link.pausedAt ? badge('paused') : ''}
        <div class="muted">made ${when(link.createdAt)} · works until ${when(link.expiresAt)} · ${link.id}</div>
        <div class="buttons">
          ${pause}
          ${actionForm({ action: `/workspace/links/${link.id}/revoke`, token: seat.token, button: 'Revoke', kind: 'danger', confirm: `Revoke ${client}'s ${what} link? It will show nothing from now on.` })}
        </div>
      </li>`;
    }),
  );
  return html`<h1>Client links</h1><ul class="list">${rows}</ul>`;
}
