import { approvedByRuleBetween, succeededBetween, type Kernel, type Action } from '../kernel/index.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../storage/index.js';
import type { Outbound } from '../chat/index.js';
import { formatMoney } from '../core/money.js';
import { localDate, startOfLocalDay } from '../core/zoned-time.js';
import { clientById, expensesBetween, listInvoices, tasksDueBy, upcomingMeetings } from '../records/index.js';
import { cardFor, outcomeLine, taskLine } from '../agents/index.js';
import { followUpReminders } from '../connectors/index.js';

export interface DigestDeps {
  db: Db;
  kernel: Kernel;
  clock: Clock;
  timeZone: string;
}

const bullet = (lines: string[]) => lines.map((l) => `• ${l}`).join('\n');

/**
 * The daily digest, in the operator's local days: what was done yesterday (by
 * agent), what waits for approval (as cards, so it can be decided from the
 * digest), money owed, what is due today and this week (tasks, overdue ones
 * flagged, meetings and follow-ups), and anything that
 * needs attention. Empty sections are left out.
 */
export async function composeDigest({ db, kernel, clock, timeZone }: DigestDeps): Promise<Outbound[]> {
  const now = clock.now();
  const today = startOfLocalDay(now, timeZone);
  const yesterday = startOfLocalDay(now, timeZone, -1);
  const weekEnd = startOfLocalDay(now, timeZone, 7);
  const when = (d: Date) => d.toLocaleString('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

  const [done, open, attention, overdue, meetings, followUps, due] = await Promise.all([
    succeededBetween(db, yesterday, today),
    kernel.list({ states: ['awaiting_approval'], limit: 20 }),
    kernel.list({ states: ['needs_attention'], limit: 20 }),
    listInvoices(db, { overdueAt: now }),
    upcomingMeetings(db, today, 20),
    // Fired in the last week (Keel cannot yet see replies, so each stays until the week is over) or due this week.
    followUpReminders(db, startOfLocalDay(now, timeZone, -7), weekEnd),
    // Open tasks due within the next seven local days, overdue ones included (they come first and say so).
    tasksDueBy(db, localDate(startOfLocalDay(now, timeZone, 6), timeZone)),
  ]);

  // A card past its deadline is no longer decidable, even before the expiry job has marked it.
  const waiting = open.filter((a) => !a.expiresAt || a.expiresAt > now);
  const sections: string[] = [];
  if (done.length) {
    const byAgent = new Map<string, Action[]>();
    for (const a of done) byAgent.set(a.agent, [...(byAgent.get(a.agent) ?? []), a]);
    const lines = [...byAgent].map(
      ([agent, list]) =>
        `${agent}: ${list
          .map((a) =>
            outcomeLine(a, kernel.operation(a.operation), timeZone)
              .replace(/^Done — /, '')
              .replace(/\.$/, ''),
          )
          .join('; ')}`,
    );
    sections.push(`Done yesterday\n${bullet(lines)}`);
  }
  // Approvals a standing rule gave in the operator's place are listed on their own, so each can be checked.
  const byRule = await approvedByRuleBetween(db, yesterday, today);
  if (byRule.length) {
    const lines = byRule.map(
      (a) => `${outcomeLine(a, kernel.operation(a.operation), timeZone).replace(/\.$/, '')} — approved by ${a.decidedBy!.replace(':', ' ')} (action ${a.id})`,
    );
    sections.push(`Approved by your standing rules yesterday (${byRule.length})\n${bullet(lines)}`);
  }
  if (overdue.length) {
    const totals = new Map<string, number>();
    for (const i of overdue) totals.set(i.currency, (totals.get(i.currency) ?? 0) + i.totalMinor);
    const lines = await Promise.all(
      overdue.map(
        async (i) =>
          `${i.number} ${(await clientById(db, i.clientId))?.name ?? i.clientId}: ${formatMoney(i.totalMinor, i.currency)}, due ${localDate(i.dueAt, timeZone)}`,
      ),
    );
    sections.push(`Money owed: ${[...totals].map(([cur, minor]) => formatMoney(minor, cur)).join(' + ')} overdue\n${bullet(lines)}`);
  }
  const soon = meetings.filter((m) => m.startsAt < weekEnd);
  if (soon.length || due.length) {
    const names = await Promise.all(soon.map(async (m) => (await clientById(db, m.clientId))?.name ?? m.clientId));
    const taskNames = await Promise.all(due.map(async (t) => (t.clientId ? (await clientById(db, t.clientId))?.name : undefined)));
    const todayIso = localDate(now, timeZone);
    const lines = [
      ...due.map((t, i) => `Task: ${taskLine(t, todayIso, taskNames[i])}`),
      ...soon.map((m, i) => `${when(m.startsAt)} — ${m.title} with ${names[i]}`),
    ];
    const late = due.filter((t) => t.dueOn! < todayIso).length;
    sections.push(`Due this week${late ? ` (${late} task${late === 1 ? '' : 's'} overdue)` : ''}\n${bullet(lines)}`);
  }
  // The month so far in the operator's days: confirmed receipts, totals per currency, the newest listed.
  const todayIso = localDate(now, timeZone);
  const spent = await expensesBetween(db, `${todayIso.slice(0, 8)}01`, todayIso);
  if (spent.length) {
    const totals = new Map<string, number>();
    for (const e of spent) totals.set(e.currency, (totals.get(e.currency) ?? 0) + e.amountMinor);
    const lines = spent
      .slice(-5)
      .reverse()
      .map((e) => `${e.spentOn} ${e.vendor}: ${formatMoney(e.amountMinor, e.currency)} (${e.category})`);
    sections.push(
      `Expenses this month: ${[...totals].map(([cur, minor]) => formatMoney(minor, cur)).join(' + ')} (${spent.length} receipt${spent.length === 1 ? '' : 's'})\n${bullet(lines)}`,
    );
  }
  if (followUps.length) {
    sections.push(
      `Follow-ups\n${bullet(followUps.map((r) => (r.status === 'fired' ? `${r.text} (reminded ${localDate(r.firedAt!, timeZone)})` : `${when(r.dueAt)}: ${r.text}`)))}`,
    );
  }
  if (attention.length) {
    sections.push(
      `Needs your attention\n${bullet(attention.map((a) => `${kernel.operation(a.operation).summary} (action ${a.id}): it may or may not have happened`))}`,
    );
  }
  if (waiting.length) sections.push(`Waiting for your approval: ${waiting.length} (cards below)`);

  const title = `Digest for ${now.toLocaleDateString('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long' })}`;
  const body = sections.length ? sections.join('\n\n') : 'All quiet: nothing was done yesterday, nothing is owed or due, nothing waits for you.';
  const cards = await Promise.all(
    waiting.map(async (a) => ({ kind: 'card', card: await cardFor(db, a, kernel.operation(a.operation), timeZone) }) satisfies Outbound),
  );
  return [{ kind: 'text', text: `${title}\n\n${body}` }, ...cards];
}
