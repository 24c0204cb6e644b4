import type { Action, Kernel } from '../kernel/index.js';
import type { Db } from '../storage/index.js';
import { formatMoney } from '../core/money.js';
import { localDate, startOfLocalDay } from '../core/zoned-time.js';
import { invoices, playbookRuns, playbooks, proposals } from './tables.js';
import { expensesBetween } from './expenses.js';

/** One calendar month in the operator's zone: [from, to). */
export interface Month {
  label: string;
  from: Date;
  to: Date;
}

/** The month `offset` months from the one `instant` falls in (0: that month, -1: the one before), in the operator's zone. */
export function monthOf(instant: Date, timeZone: string, offset = 0): Month {
  const [year, month] = localDate(instant, timeZone).split('-').map(Number) as [number, number];
  const first = (y: number, m: number) => {
    const noon = new Date(Date.UTC(y, m - 1, 1, 12));
    return startOfLocalDay(noon, timeZone);
  };
  const start = new Date(Date.UTC(year, month - 1 + offset, 1));
  const end = new Date(Date.UTC(year, month + offset, 1));
  return {
    label: start.toLocaleDateString('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' }),
    from: first(start.getUTCFullYear(), start.getUTCMonth() + 1),
    to: first(end.getUTCFullYear(), end.getUTCMonth() + 1),
  };
}

/** Amounts per currency (minor units). */
export type Amounts = Record<string, number>;

export interface MonthMoney {
  month: string;
  invoiced: Amounts;
  collected: Amounts;
  /** Sent and past due at the month's end (or now, for the month in progress). */
  overdue: Amounts;
}

export interface MonthPipeline {
  month: string;
  sent: number;
  accepted: number;
  declined: number;
  /** Total of the proposals accepted that month, per currency. */
  acceptedValue: Amounts;
}

/** What the operator spent in a month (confirmed expenses, not voided, by the day spent): in all and per category, per currency. */
export interface MonthExpenses {
  month: string;
  total: Amounts;
  byCategory: Record<string, Amounts>;
}

export interface Decisions {
  agent: string;
  operation: string;
  approved: number;
  edited: number;
  rejected: number;
  expired: number;
  byRule: number;
}

export interface Review {
  month: Month;
  /** Actions carried out (succeeded) per agent. */
  carriedOut: Record<string, number>;
  /** Cards per agent and operation: approved as proposed, edited first, rejected, left to expire, approved by a standing rule. */
  decisions: Decisions[];
  /** From the request to its effect, over the actions carried out: median and slowest, in minutes; for cards and for the rest. */
  requestToEffect: { withCard: { median: number; slowest: number; count: number }; withoutCard: { median: number; slowest: number; count: number } };
  /** Standing rules that approved something, with how often. */
  rulesFired: Record<string, number>;
  /** Playbooks that ran, by name, with how often. */
  playbooksRan: Record<string, number>;
  /** The month and the two before it, oldest first. */
  money: MonthMoney[];
  /** Expenses per month, next to the money invoiced and collected. */
  expenses: MonthExpenses[];
  pipeline: MonthPipeline[];
}

const add = (a: Amounts, currency: string, minor: number) => {
  a[currency] = (a[currency] ?? 0) + minor;
};
const within = (at: Date | null | undefined, m: Month) => at !== null && at !== undefined && at >= m.from && at < m.to;
const minutes = (ms: number) => Math.round(ms / 60_000);
const median = (xs: number[]) => {
  if (!xs.length) return 0;
  const s = xs.toSorted((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

/** When an action's effect took place: the audit trail's `succeeded` entry would say the same; the ledger row's last change is it. */
const effectAt = (a: Action) => a.updatedAt;

/**
 * The monthly review's figures, from the ledger and the records: what each agent carried out, how its cards were
 * decided, how long requests took to take effect, which rules and playbooks fired, and money and pipeline for the
 * month and the two before it. `now` bounds the month in progress.
 */
export async function composeReviewFigures(deps: { db: Db; kernel: Kernel; timeZone: string }, month: Month, now: Date): Promise<Review> {
  const { db, kernel, timeZone } = deps;
  const actions = (await kernel.list({ order: 'newest', limit: 20_000 })).filter((a) => within(a.createdAt, month));
  const carriedOut: Record<string, number> = {};
  const decisions = new Map<string, Decisions>();
  const withCard: number[] = [];
  const withoutCard: number[] = [];
  const rulesFired: Record<string, number> = {};
  for (const a of actions) {
    // Keel's own notices (digest, reminders) are its upkeep, not work an agent carried out.
    if (a.operation === 'operator.notify') continue;
    if (a.state === 'succeeded' || a.state === 'compensated') {
      carriedOut[a.agent] = (carriedOut[a.agent] ?? 0) + 1;
      (a.requiresApproval || a.decidedBy ? withCard : withoutCard).push(effectAt(a).getTime() - a.createdAt.getTime());
    }
    if (a.decidedBy?.startsWith('rule:')) rulesFired[a.decidedBy.slice(5)] = (rulesFired[a.decidedBy.slice(5)] ?? 0) + 1;
    if (!a.requiresApproval && !a.decidedBy?.startsWith('rule:')) continue;
    const key = `${a.agent} ${a.operation}`;
    const d = decisions.get(key) ?? { agent: a.agent, operation: a.operation, approved: 0, edited: 0, rejected: 0, expired: 0, byRule: 0 };
    if (a.decidedBy?.startsWith('rule:')) d.byRule++;
    else if (a.state === 'superseded') d.edited++;
    else if (a.state === 'rejected') d.rejected++;
    else if (a.state === 'expired') d.expired++;
    else if (a.decidedBy) d.approved++;
    else continue;
    decisions.set(key, d);
  }

  const runs = await db.select().from(playbookRuns);
  const names = new Map((await db.select().from(playbooks)).map((p) => [p.id, p.name]));
  const playbooksRan: Record<string, number> = {};
  for (const r of runs.filter((r) => within(r.createdAt, month))) {
    const name = names.get(r.playbookId) ?? r.playbookId;
    playbooksRan[name] = (playbooksRan[name] ?? 0) + 1;
  }

  const allInvoices = await db.select().from(invoices);
  const allProposals = await db.select().from(proposals);
  const months = [-2, -1, 0].map((offset) => monthOf(new Date(month.from.getTime() + 86_400_000), timeZone, offset));
  const money = months.map((m): MonthMoney => {
    const end = m.to < now ? m.to : now;
    const row: MonthMoney = { month: m.label, invoiced: {}, collected: {}, overdue: {} };
    for (const i of allInvoices) {
      if (within(i.issuedAt, m) && i.status !== 'void') add(row.invoiced, i.currency, i.totalMinor);
      if (within(i.paidAt, m)) add(row.collected, i.currency, i.totalMinor);
      const open = i.status === 'sent' || (i.status === 'paid' && i.paidAt !== null && i.paidAt >= end);
      if (open && i.issuedAt < end && i.dueAt < end) add(row.overdue, i.currency, i.totalMinor);
    }
    return row;
  });
  const spent = await Promise.all(
    months.map(async (m): Promise<MonthExpenses> => {
      // An expense is dated by the local day it was spent, so the month is the local dates from its first day to its last.
      const from = localDate(m.from, timeZone);
      const through = localDate(new Date(m.to.getTime() - 1), timeZone);
      const row: MonthExpenses = { month: m.label, total: {}, byCategory: {} };
      for (const e of await expensesBetween(db, from, through)) {
        add(row.total, e.currency, e.amountMinor);
        row.byCategory[e.category] = row.byCategory[e.category] ?? {};
        add(row.byCategory[e.category]!, e.currency, e.amountMinor);
      }
      return row;
    }),
  );
  const pipeline = months.map((m): MonthPipeline => {
    const row: MonthPipeline = { month: m.label, sent: 0, accepted: 0, declined: 0, acceptedValue: {} };
    for (const p of allProposals) {
      if (p.status !== 'draft' && within(p.createdAt, m)) row.sent++;
      if (p.status === 'accepted' && within(p.decidedAt, m)) {
        row.accepted++;
        if (p.totalMinor !== null) add(row.acceptedValue, p.currency, p.totalMinor);
      }
      if (p.status === 'declined' && within(p.decidedAt, m)) row.declined++;
    }
    return row;
  });

  const stats = (xs: number[]) => ({ median: minutes(median(xs)), slowest: minutes(Math.max(0, ...xs)), count: xs.length });
  return {
    month,
    carriedOut,
    decisions: [...decisions.values()].sort((a, b) => a.agent.localeCompare(b.agent) || a.operation.localeCompare(b.operation)),
    requestToEffect: { withCard: stats(withCard), withoutCard: stats(withoutCard) },
    rulesFired,
    playbooksRan,
    money,
    expenses: spent,
    pipeline,
  };
}

const amounts = (a: Amounts) =>
  Object.keys(a).length
    ? Object.entries(a)
        .map(([c, m]) => formatMoney(m, c))
        .join(' + ')
    : '0';

/** The review as chat text, one section per question, in the order the operator reads it. */
export function reviewText(r: Review): string {
  const lines = [`Monthly review — ${r.month.label}`];
  const done = Object.entries(r.carriedOut).sort((a, b) => b[1] - a[1]);
  lines.push('', 'Carried out:', ...(done.length ? done.map(([agent, n]) => `• ${agent}: ${n}`) : ['• nothing']));
  lines.push('', 'Your decisions (approved · edited · rejected · expired · by rule):');
  lines.push(
    ...(r.decisions.length
      ? r.decisions.map((d) => {
          const asked = d.approved + d.edited + d.rejected + d.expired;
          const needs = asked ? Math.round(((d.edited + d.rejected) / asked) * 100) : 0;
          return `• ${d.agent} ${d.operation}: ${d.approved} · ${d.edited} · ${d.rejected} · ${d.expired} · ${d.byRule}${asked ? ` — ${needs}% edited or rejected` : ''}`;
        })
      : ['• no cards']),
  );
  const t = r.requestToEffect;
  lines.push(
    '',
    `Request to effect: with a card, median ${t.withCard.median} min (slowest ${t.withCard.slowest} min, ${t.withCard.count}); without, median ${t.withoutCard.median} min (${t.withoutCard.count}).`,
  );
  const rules = Object.entries(r.rulesFired);
  const runs = Object.entries(r.playbooksRan);
  lines.push(
    `Standing rules fired: ${rules.length ? rules.map(([id, n]) => `${id} ${n}×`).join(', ') : 'none'}. Playbooks ran: ${runs.length ? runs.map(([name, n]) => `"${name}" ${n}×`).join(', ') : 'none'}.`,
  );
  lines.push('', 'Money (invoiced · collected · overdue at month end):');
  lines.push(...r.money.map((m) => `• ${m.month}: ${amounts(m.invoiced)} · ${amounts(m.collected)} · ${amounts(m.overdue)}`));
  lines.push('', 'Expenses (spent · by category):');
  lines.push(
    ...r.expenses.map((e) => {
      const categories = Object.entries(e.byCategory).sort((a, b) => a[0].localeCompare(b[0]));
      return `• ${e.month}: ${amounts(e.total)}${categories.length ? ` · ${categories.map(([c, a]) => `${c} ${amounts(a)}`).join(', ')}` : ''}`;
    }),
  );
  lines.push('', 'Pipeline (proposals sent · accepted · declined · value accepted):');
  lines.push(...r.pipeline.map((p) => `• ${p.month}: ${p.sent} · ${p.accepted} · ${p.declined} · ${amounts(p.acceptedValue)}`));
  return lines.join('\n');
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The review's chart as a self-contained SVG (no scripts, no external references): money per month (invoiced,
 * collected, overdue, in the first currency) and the pipeline (sent, accepted, declined), as grouped bars.
 */
export function reviewChart(r: Review): string {
  const currency = Object.keys(Object.assign({}, ...r.money.flatMap((m) => [m.invoiced, m.collected, m.overdue])))[0] ?? 'EUR';
  const W = 640;
  const H = 300;
  const panel = (x0: number, title: string, months: string[], series: { name: string; color: string; values: number[] }[], format: (v: number) => string) => {
    const max = Math.max(1, ...series.flatMap((s) => s.values));
    const plotH = 180;
    const top = 50;
    const groupW = (W / 2 - 40) / months.length;
    const barW = (groupW - 12) / series.length;
    const bars = months.flatMap((m, i) =>
      series.map((s, j) => {
        const v = s.values[i] ?? 0;
        const h = Math.round((v / max) * plotH);
        const x = x0 + 20 + i * groupW + j * barW;
        return `<rect x="${x.toFixed(1)}" y="${top + plotH - h}" width="${(barW - 2).toFixed(1)}" height="${h}" fill="${s.color}"><title>${escapeXml(`${m} ${s.name}: ${format(v)}`)}</title></rect>`;
      }),
    );
    const labels = months.map(
      (m, i) =>
        `<text x="${(x0 + 20 + i * groupW + (groupW - 12) / 2).toFixed(1)}" y="${top + plotH + 18}" font-size="12" text-anchor="middle" fill="#333">${escapeXml(m.split(' ')[0]!.slice(0, 3))}</text>`,
    );
    const legend = series.map(
      (s, j) =>
        `<rect x="${x0 + 20 + j * 95}" y="${H - 26}" width="10" height="10" fill="${s.color}"/><text x="${x0 + 34 + j * 95}" y="${H - 17}" font-size="11" fill="#333">${escapeXml(s.name)}</text>`,
    );
    return [
      `<text x="${x0 + 20}" y="30" font-size="14" font-weight="bold" fill="#111">${escapeXml(title)}</text>`,
      `<line x1="${x0 + 18}" y1="${top + plotH}" x2="${x0 + W / 2 - 20}" y2="${top + plotH}" stroke="#999"/>`,
      ...bars,
      ...labels,
      ...legend,
    ].join('');
  };
  const months = r.money.map((m) => m.month);
  const money = panel(
    0,
    `Money (${currency})`,
    months,
    [
      { name: 'invoiced', color: '#3b6fd8', values: r.money.map((m) => m.invoiced[currency] ?? 0) },
      { name: 'collected', color: '#2e9e5b', values: r.money.map((m) => m.collected[currency] ?? 0) },
      { name: 'overdue', color: '#d9534f', values: r.money.map((m) => m.overdue[currency] ?? 0) },
    ],
    (v) => formatMoney(v, currency),
  );
  const pipe = panel(
    W / 2,
    'Pipeline (proposals)',
    r.pipeline.map((p) => p.month),
    [
      { name: 'sent', color: '#7a7a7a', values: r.pipeline.map((p) => p.sent) },
      { name: 'accepted', color: '#2e9e5b', values: r.pipeline.map((p) => p.accepted) },
      { name: 'declined', color: '#d9534f', values: r.pipeline.map((p) => p.declined) },
    ],
    String,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(`Money and pipeline, ${months.join(', ')}`)}"><rect width="${W}" height="${H}" fill="#fff"/>${money}${pipe}</svg>`;
}
