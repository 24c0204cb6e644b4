import { html } from 'hono/html';
import { formatMoney } from '../../core/money.js';
import { OPERATOR_THREAD } from '../../graph/index.js';
import { contextMap, latestSummary, memoryDocument, memoryKinds, type ClientContext } from '../../memory/index.js';
import type { WorkspaceDeps } from './deps.js';
import { badge, when, type Html } from './layout.js';
import { excerpt, memoryHref } from './parts.js';
import { businessProfileOf, clientBilling } from '../../records/index.js';
import { missingForInvoice } from '../../core/billing-details.js';
import { PROFILE_EXAMPLE, profileLines } from '../../agents/index.js';

const PER_KIND = 5;
const MAX_QUERY = 200;

function clientBox(entry: ClientContext): Html {
  const { client } = entry;
  const section = <T>(title: string, rows: T[], line: (row: T) => Html) =>
    rows.length ? html`<h3>${title}</h3><ul class="chips">${rows.slice(0, PER_KIND).map((r) => html`<li>${line(r)}</li>`)}</ul>` : '';
  return html`<section class="box client" data-client="${client.id}">
    <h2><a href="${memoryHref(client.id)}">${client.name}</a></h2>
    <p class="muted">${[client.contactName, client.email].filter(Boolean).join(' · ') || 'No contact recorded'}</p>
    <p class="muted billing">${billingLine(client)}</p>
    ${section('Projects', entry.projects, (p) => html`<a href="${memoryHref(p.id)}">${p.name}</a> ${badge(p.status)}`)}
    ${section('Open tasks', entry.tasks, (t) => html`<a href="${memoryHref(t.id)}">${t.title}</a>${t.dueOn ? ` · due ${t.dueOn}` : ''}`)}
    ${section('Proposals', entry.proposals, (p) => html`<a href="${memoryHref(p.id)}">${p.title}</a> ${badge(p.status)}${p.totalMinor !== null ? ` ${formatMoney(p.totalMinor, p.currency)}` : ''}`)}
    ${section('Invoices', entry.invoices, (i) => html`<a href="${memoryHref(i.id)}">${i.number}</a> ${formatMoney(i.totalMinor, i.currency)} ${badge(i.status)}`)}
    ${section('Meetings', entry.meetings, (m) => html`<a href="${memoryHref(m.id)}">${m.title}</a> ${when(m.startsAt)} ${badge(m.status)}`)}
    ${entry.projects.length + entry.tasks.length + entry.proposals.length + entry.invoices.length + entry.meetings.length === 0 ? html`<p class="muted">No projects, tasks, proposals, invoices or meetings yet.</p>` : ''}
  </section>`;
}

const SUMMARY_LINES = 8;

/**
 * The summary as the facts it keeps, one per line with who said it ("You" for the operator, "Ledger" for
 * recorded effects), newest last;
 * its older lines and the ids are on the summary's own page.
 */
function summaryBox(summary: { id: string; createdAt: Date; messages: number; text: string }): Html {
  const lines = summary.text.split('\n').filter((l) => l.trim());
  const shown = lines.slice(-SUMMARY_LINES).map((line) => {
    const [, who, said] = /^(Operator|Keel|Effects \(from the ledger\)):\s*(.*)$/.exec(line) ?? [undefined, undefined, line];
    const label = who === 'Operator' ? 'You' : who === 'Keel' ? 'Keel' : who ? 'Ledger' : undefined;
    return html`<li>${label ? html`<strong>${label}:</strong> ` : ''}${excerpt(said ?? line, 200)}</li>`;
  });
  const older = lines.length - shown.length;
  return html`<div class="box summary">
    <p class="meta">${summary.messages} messages up to ${when(summary.createdAt)}${older > 0 ? ` · the last ${shown.length} of ${lines.length} facts` : ''}</p>
    <ul class="summary-lines">${shown}</ul>
    <p class="meta"><a href="${memoryHref(summary.id)}">The whole summary</a></p>
  </div>`;
}

/** A client's billing details in one line, or what an invoice to them still needs. */
function billingLine(client: ClientContext['client']): string {
  const b = clientBilling(client);
  const missing = missingForInvoice(b);
  if (missing.length) return `Billing: needs ${missing.filter((m) => m !== 'legal name').join(', ')} before an invoice`;
  return `Billing: ${[b.name, ...(b.addressLines ?? []), `${b.postcode} ${b.city}`, b.country, b.vatId ? `VAT id ${b.vatId}` : ''].filter(Boolean).join(', ')} · ${client.einvoiceFormat}`;
}

/** The business profile every invoice carries as its seller, with what the first invoice still needs. */
async function profileBox(deps: WorkspaceDeps): Promise<Html> {
  const profile = await businessProfileOf(deps.db, deps.profile);
  const missing = missingForInvoice(profile);
  return html`<section class="box profile">
    <h2>Business profile</h2>
    ${Object.keys(profile).length ? html`<ul class="list">${profileLines(profile).map((l) => html`<li>${l}</li>`)}</ul>` : html`<p class="muted">No business profile yet.</p>`}
    ${missing.length ? html`<p class="muted">Before the first invoice Keel needs the ${missing.join(', ')}. Say it in chat: “${PROFILE_EXAMPLE}”.</p>` : ''}
  </section>`;
}

/** The context map: what Keel knows per client, the last conversation summary, and search over all of memory. */
export async function contextPage(deps: WorkspaceDeps, query: string): Promise<Html> {
  const q = query.trim().slice(0, MAX_QUERY);
  const [profile, map, summary, hits] = await Promise.all([
    profileBox(deps),
    contextMap(deps.db),
    latestSummary(deps.db, OPERATOR_THREAD),
    q ? deps.memory.recall({ text: q, kinds: memoryKinds, limit: 10 }) : Promise.resolve([]),
  ]);
  return html`
    <form class="search" method="get" action="/workspace/context" role="search">
      <input type="search" name="q" value="${q}" placeholder="Search memory: a name, an invoice number, a phrase" maxlength="${MAX_QUERY}">
      <button type="submit">Search</button>
    </form>
    ${
      q
        ? html`<h2>Found for “${q}”</h2>${
            hits.length
              ? html`<ul class="list hits">${hits.map(
                  (h) =>
                    html`<li><a href="${memoryHref(h.id)}">${h.kind} <code>${h.id}</code></a> <span class="muted">via ${h.via.join(', ')}</span><br>${h.excerpt}</li>`,
                )}</ul>`
              : html`<p class="muted">Nothing in memory matches.</p>`
          }`
        : ''
    }
    ${profile}
    <h2>Last conversation summary</h2>
    ${summary ? summaryBox(summary) : html`<p class="muted">The conversation has not been long enough to summarise yet.</p>`}
    <h2>Clients</h2>
    ${map.length ? html`<div class="grid">${map.map(clientBox)}</div>` : html`<p class="muted">No clients yet. Tell Keel about one in chat: “Add Acme Corp as a client, contact dana@acme.test”.</p>`}`;
}

/** One remembered thing, as recall indexed it: where evidence links lead. */
export async function memoryPage(deps: WorkspaceDeps, id: string): Promise<Html | undefined> {
  // Index what changed since the last round, so a record made a moment ago can be opened.
  await deps.memory.sync();
  const doc = await memoryDocument(deps.db, id);
  if (!doc) return undefined;
  const client = doc.clientId && doc.clientId !== doc.sourceId ? await memoryDocument(deps.db, doc.clientId) : undefined;
  return html`<div class="box memory" data-kind="${doc.kind}">
      <p class="meta">${doc.kind} <code>${doc.sourceId}</code> · ${when(doc.at)}${client ? html` · client <a href="${memoryHref(client.sourceId)}">${excerpt(client.text.split('\n')[0] ?? '', 60)}</a>` : ''}</p>
      <pre>${doc.text}</pre>
    </div>
    <p><a href="/workspace/context?q=${encodeURIComponent(doc.sourceId)}">Search memory for this id</a></p>`;
}
