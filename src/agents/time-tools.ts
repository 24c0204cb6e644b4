import { formatHours, formatMoney, toCenti, toMinor } from '../core/money.js';
import { localDate } from '../core/zoned-time.js';
import { lineVatFor } from '../core/vat.js';
import { clientProposals, findProjects, unbilledEntries, type TimeEntry } from '../records/index.js';
import { invoiceSetup, lastHourlyRate } from './billing-tools.js';
import type { AgentToolArgs } from './intents.js';
import type { ToolContext, ToolOutcome } from './toolbox.js';
import { dayLabel, type ToolHelpers } from './work-tools.js';

type Impl<T extends 'log_time' | 'bill_time'> = (args: AgentToolArgs<T>, ctx: ToolContext) => Promise<ToolOutcome>;

/** A description longer than this lists the entries by count; the card lists each one anyway. */
const MAX_DESCRIPTION = 200;

const monthEnd = (isoDay: string) => {
  const [year, month] = isoDay.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
};

/** "October 2026" for a whole month, else "1 Oct – 15 Oct 2026". */
export function periodLabel(from: string, to: string): string {
  if (from.endsWith('-01') && to === monthEnd(from)) {
    return new Date(`${from}T12:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' });
  }
  return `${dayLabel(from)} – ${dayLabel(to)} ${to.slice(0, 4)}`;
}

/** The invoice's description: the period, then the work by what it was, hours summed. */
function snapshotDescription(period: string, entries: TimeEntry[]): string {
  const byWork = new Map<string, number>();
  for (const e of entries) byWork.set(e.description, (byWork.get(e.description) ?? 0) + e.hoursCenti);
  const listed = `${period}: ${[...byWork].map(([work, centi]) => `${work} ${formatHours(centi)}`).join(', ')}`;
  return listed.length <= MAX_DESCRIPTION ? listed : `${period}: ${entries.length} time entries`;
}

/** Time worked as records ("spent 3h on workshop prep for Beta"), and the billable snapshot that invoices a period of it. */
export function timeTools({ answer, client, act, warnings }: ToolHelpers) {
  const log_time: Impl<'log_time'> = async ({ client: who, hours, description, day, project }, ctx) => {
    const found = await client(ctx, who);
    if ('outcome' in found) return found.outcome;
    const c = found.client;
    const workedOn = day ?? localDate(ctx.clock.now(), ctx.settings.timeZone);
    const projects = project ? await findProjects(ctx.db, project, c.id) : [];
    if (project && projects.length !== 1) {
      return answer(
        projects.length
          ? `"${project}" could be ${projects.map((p) => p.name).join(', ')}; which project?`
          : `${c.name} has no active project called "${project}". Start it first ("new project ${project} for ${c.name}") or leave the project out.`,
      );
    }
    const hoursCenti = toCenti(hours);
    return act(
      ctx,
      {
        operation: 'records.log_time',
        input: { clientId: c.id, projectId: projects[0]?.id, description, hoursCenti, workedOn },
        reason: `The operator logged ${formatHours(hoursCenti)} of ${description} for ${c.name}.`,
        evidence: [c.id, ...(projects[0] ? [projects[0].id] : [])],
      },
      (r) => `Logged ${formatHours(hoursCenti)} for ${c.name} on ${dayLabel(workedOn)}: ${description} [${(r as { entryId: string }).entryId}].`,
    );
  };

  const bill_time: Impl<'bill_time'> = async ({ client: who, from, to, rate, currency: stated }, ctx) => {
    const found = await client(ctx, who);
    if ('outcome' in found) return found.outcome;
    const c = found.client;
    const period = periodLabel(from, to);
    if (from > to) return answer(`The period ${from} to ${to} ends before it starts; which days should I bill?`);
    // Entries already on a card still open are that card's: billing them again would only fail when approved.
    const open = await ctx.kernel.list({ states: ['awaiting_approval', 'approved', 'running'], clientId: c.id });
    const carded = new Set(open.filter((a) => a.operation === 'invoices.issue').flatMap((a) => (a.input as { entryIds?: string[] }).entryIds ?? []));
    const entries = (await unbilledEntries(ctx.db, c.id, from, to)).filter((e) => !carded.has(e.id));
    if (!entries.length) {
      const waiting = carded.size ? ' Some are on an invoice card that still waits for your decision (/pending).' : '';
      return answer(`${c.name} has no unbilled time for ${period}.${waiting} Log time with e.g. "spent 3h on workshop prep for ${c.name}".`);
    }
    // The snapshot is an invoice like any other: it waits for the business profile and the client's billing address.
    const setup = await invoiceSetup(ctx, c);
    if ('question' in setup) return { ...answer(setup.question), problem: setup.question };
    const accepted = (await clientProposals(ctx.db, c.id)).find((p) => p.status === 'accepted' && p.rateMinor !== null);
    const hourly = await lastHourlyRate(ctx, c.id);
    const last = hourly && { ...hourly.invoice, rateMinor: hourly.rateMinor };
    const currency = stated ?? (rate === undefined ? (accepted?.currency ?? last?.currency) : undefined) ?? ctx.settings.currency;
    const rateMinor = rate !== undefined ? toMinor(rate, currency) : (accepted?.rateMinor ?? last?.rateMinor ?? undefined);
    const hoursCenti = entries.reduce((sum, e) => sum + e.hoursCenti, 0);
    if (rateMinor === undefined) {
      return answer(
        `What hourly rate should I bill ${c.name} for ${formatHours(hoursCenti)} in ${period}? I have no accepted proposal or earlier invoice to take it from. Say e.g. "bill ${c.name} for ${period.split(' ')[0]} at 120 EUR".`,
      );
    }
    const basis =
      rate !== undefined
        ? 'rate as stated'
        : accepted
          ? `rate ${formatMoney(rateMinor, currency)}/h from the accepted proposal "${accepted.title}" [${accepted.id}]`
          : `rate ${formatMoney(rateMinor, currency)}/h from invoice ${last!.number} [${last!.id}]`;
    const input = {
      clientId: c.id,
      description: snapshotDescription(period, entries),
      // One hourly line, in the shape invoices keep for it, with the VAT the profile and the client decide.
      hoursCenti,
      rateMinor,
      vat: lineVatFor(setup.tax),
      currency,
      dueDays: setup.profile.paymentTermsDays ?? 30,
      servicePeriod: { start: from, end: to },
      tax: { rule: setup.tax.rule, ...(setup.tax.note ? { note: setup.tax.note } : {}) },
      entryIds: entries.map((e) => e.id),
    };
    return act(
      ctx,
      {
        operation: 'invoices.issue',
        input,
        warnings: await warnings(ctx, 'invoices.issue', input),
        reason: `The operator asked to bill ${c.name} for ${period}: ${entries.length} unbilled time entr${entries.length === 1 ? 'y' : 'ies'}, ${formatHours(hoursCenti)}; ${basis}. Tax: ${setup.tax.rule}.`,
        evidence: [c.id, ...(rate === undefined ? [accepted?.id ?? last?.id].filter((id): id is string => id !== undefined) : []), ...entries.map((e) => e.id)],
      },
      (r) => {
        const inv = r as { number: string; totalMinor: number; currency: string };
        return `Issued invoice ${inv.number} to ${c.name} for ${period}: ${formatMoney(inv.totalMinor, inv.currency)} (${formatHours(hoursCenti)}).`;
      },
    );
  };

  return { log_time, bill_time };
}
