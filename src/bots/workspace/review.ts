import { html, raw } from 'hono/html';
import { formatMoney } from '../../core/money.js';
import { composeReviewFigures, monthOf, reviewChart } from '../../records/index.js';
import type { WorkspaceDeps } from './deps.js';
import type { Html } from './layout.js';

const amounts = (a: Record<string, number>) =>
  Object.keys(a).length
    ? Object.entries(a)
        .map(([c, m]) => formatMoney(m, c))
        .join(' + ')
    : '0';

/** The monthly review of this month so far: the chart of money and pipeline (inline SVG, scaled to the screen), then the figures. */
export async function reviewPage(deps: WorkspaceDeps): Promise<Html> {
  const now = deps.clock.now();
  const r = await composeReviewFigures(deps, monthOf(now, deps.timeZone), now);
  const t = r.requestToEffect;
  return html`<section class="box review">
      <h2>${r.month.label}, so far</h2>
      <div class="chart" style="max-width:640px">${raw(reviewChart(r).replace('<svg ', '<svg style="width:100%;height:auto" '))}</div>
    </section>
    <section class="box">
      <h2>Money</h2>
      <table>
        <tr><th>Month</th><th>Invoiced</th><th>Collected</th><th>Overdue</th></tr>
        ${r.money.map((m) => html`<tr><td>${m.month}</td><td>${amounts(m.invoiced)}</td><td>${amounts(m.collected)}</td><td>${amounts(m.overdue)}</td></tr>`)}
      </table>
      <h2>Expenses</h2>
      <table>
        <tr><th>Month</th><th>Spent</th><th>By category</th></tr>
        ${r.expenses.map(
          (e) =>
            html`<tr><td>${e.month}</td><td>${amounts(e.total)}</td><td>${Object.entries(e.byCategory)
              .map(([c, a]) => `${c} ${amounts(a)}`)
              .join(', ')}</td></tr>`,
        )}
      </table>
      <h2>Pipeline</h2>
      <table>
        <tr><th>Month</th><th>Sent</th><th>Accepted</th><th>Declined</th><th>Value</th></tr>
        ${r.pipeline.map((p) => html`<tr><td>${p.month}</td><td>${p.sent}</td><td>${p.accepted}</td><td>${p.declined}</td><td>${amounts(p.acceptedValue)}</td></tr>`)}
      </table>
    </section>
    <section class="box">
      <h2>Agents</h2>
      <ul class="list">${Object.entries(r.carriedOut).map(([agent, n]) => html`<li>${agent}: ${n} carried out</li>`)}</ul>
      <h2>Your decisions</h2>
      <table>
        <tr><th>Agent · operation</th><th>Approved</th><th>Edited</th><th>Rejected</th><th>Expired</th><th>By rule</th></tr>
        ${r.decisions.map(
          (d) =>
            html`<tr><td>${d.agent} · ${d.operation}</td><td>${d.approved}</td><td>${d.edited}</td><td>${d.rejected}</td><td>${d.expired}</td><td>${d.byRule}</td></tr>`,
        )}
      </table>
      <p class="muted">Request to effect: with a card, median ${t.withCard.median} min (slowest ${t.withCard.slowest}); without, median ${t.withoutCard.median} min.
        Rules fired: ${
          Object.entries(r.rulesFired)
            .map(([id, n]) => `${id} ${n}×`)
            .join(', ') || 'none'
        }.
        Playbooks ran: ${
          Object.entries(r.playbooksRan)
            .map(([name, n]) => `"${name}" ${n}×`)
            .join(', ') || 'none'
        }.</p>
    </section>`;
}
