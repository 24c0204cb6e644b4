import { and, desc, eq, gte, inArray, isNotNull, lt, lte, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { ConnectorError, defineOperation, type Connector } from '../kernel/connector.js';
import type { ConnectorDeps } from '../kernel/connector-deps.js';
import type { Db } from '../storage/index.js';
import { first } from '../core/rows.js';
import { localDate, localInstant } from '../core/zoned-time.js';
import { clients, invoices, playbookRuns, playbooks, proposals } from './tables.js';

export type Playbook = typeof playbooks.$inferSelect;
export type PlaybookRun = typeof playbookRuns.$inferSelect;

/** What fires a playbook: a record event. "Overdue by N days" fires once N days after the invoice's due day passed unpaid. */
export const playbookTrigger = z.discriminatedUnion('event', [
  z.object({ event: z.literal('proposal_accepted') }),
  z.object({ event: z.literal('client_added') }),
  z.object({ event: z.literal('invoice_paid') }),
  z.object({ event: z.literal('invoice_overdue'), days: z.number().int().min(0).max(365) }),
  // A schedule in the operator's TZ: weekly on an ISO weekday (1 Monday … 7 Sunday) or monthly on a day (past a short month's end, its last day).
  z.object({
    event: z.literal('schedule'),
    every: z.enum(['week', 'month']),
    day: z.number().int().min(1).max(31),
    time: z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/),
  }),
]);
export type PlaybookTrigger = z.infer<typeof playbookTrigger>;

/** The operations a step may be: effects an agent may propose, each still approved or not as the kernel's policy says. */
export const playbookOperations = [
  'memory.add_project',
  'memory.add_task',
  'calendar.book',
  'email.send',
  'invoices.issue',
  'operator.schedule_reminder',
  'records.add_note',
] as const;

/**
 * A step: a kernel operation and its input, each value a literal or a template over the trigger's record —
 * `{{client.id}}`, `{{proposal.title}}`, `{{proposal.hoursCenti * 0.3}}` (a number, rounded), `{{workday(3) 10:00}}`
 * (the first working day after the event, within 3, with no meeting booked at 10:00, as an instant in TZ).
 */
export const playbookStep = z.object({
  operation: z.enum(playbookOperations),
  input: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type PlaybookStep = z.infer<typeof playbookStep>;

export const playbookSpec = z.object({
  name: z.string().trim().min(1).max(120),
  trigger: playbookTrigger,
  steps: z.array(playbookStep).min(1).max(12),
  compensateOnFailure: z.boolean().default(false),
});
export type PlaybookSpec = z.infer<typeof playbookSpec>;

/** The records a trigger's event names, for templates. */
const fieldsOf: Record<PlaybookTrigger['event'], string[]> = {
  proposal_accepted: ['client', 'proposal'],
  client_added: ['client'],
  invoice_paid: ['client', 'invoice'],
  invoice_overdue: ['client', 'invoice'],
  schedule: ['period'],
};

const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const ordinal = (n: number) => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

export const triggerText = (t: PlaybookTrigger): string => {
  switch (t.event) {
    case 'proposal_accepted':
      return 'a proposal is accepted';
    case 'client_added':
      return 'a client is added';
    case 'invoice_paid':
      return 'an invoice is paid';
    case 'invoice_overdue':
      return `an invoice is overdue by ${t.days} days`;
    case 'schedule':
      return t.every === 'week' ? `it is ${weekdays[t.day - 1] ?? 'Sunday'} ${t.time}` : `it is the ${ordinal(t.day)} of the month, ${t.time}`;
  }
};

const shiftDays = (day: string, days: number) => new Date(Date.parse(`${day}T12:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const monthDay = (year: number, month: number, day: number) => {
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(day, last)).padStart(2, '0')}`;
};

/**
 * The schedule's latest occurrence at or before `now`: its local day (which names the period, so a run is keyed by it)
 * and instant. Missed periods before it are not caught up: a late tick fires the current period once, not a backlog.
 */
export function latestOccurrence(t: Extract<PlaybookTrigger, { event: 'schedule' }>, now: Date, timeZone: string): { day: string; at: Date } {
  const today = localDate(now, timeZone);
  if (t.every === 'week') {
    const weekday = ((new Date(`${today}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
    let day = shiftDays(today, -((weekday - t.day + 7) % 7));
    if (localInstant(day, t.time, timeZone) > now) day = shiftDays(day, -7);
    return { day, at: localInstant(day, t.time, timeZone) };
  }
  const [year, month] = today.split('-').map(Number) as [number, number];
  let day = monthDay(year, month, t.day);
  if (localInstant(day, t.time, timeZone) > now) day = month === 1 ? monthDay(year - 1, 12, t.day) : monthDay(year, month - 1, t.day);
  return { day, at: localInstant(day, t.time, timeZone) };
}

/** "memory.add_project — name: {{proposal.title}}, clientId: {{client.id}}": a step as the card shows it. */
export const stepText = (s: PlaybookStep): string =>
  `${s.operation} — ${Object.entries(s.input)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')}`;

const placeholder = /\{\{\s*([^}]+?)\s*\}\}/g;
const workday = /^workday\((\d{1,2})\)\s+(\d{2}:\d{2})$/;
const product = /^([a-z]+\.[a-zA-Z]+)\s*\*\s*(\d+(?:\.\d+)?)$/;

/** Placeholders a spec uses that its trigger's records do not have; empty when every one reads. */
export function unreadableTemplates(spec: PlaybookSpec): string[] {
  const fields = fieldsOf[spec.trigger.event];
  const bad: string[] = [];
  for (const step of spec.steps) {
    for (const value of Object.values(step.input)) {
      if (typeof value !== 'string') continue;
      for (const [, expr] of value.matchAll(placeholder)) {
        if (workday.test(expr!)) continue;
        const path = product.exec(expr!)?.[1] ?? expr!;
        if (!fields.includes(path.split('.')[0]!)) bad.push(`{{${expr}}}`);
      }
    }
  }
  return bad;
}

export type TemplateContext = Record<string, Record<string, string | number | null>>;

/**
 * Renders a step's input for one event. A value that is one placeholder keeps its type (a number stays a number);
 * placeholders inside text are written in. `slot(days, time)` answers `workday(n) HH:MM`.
 */
export function renderStep(step: PlaybookStep, context: TemplateContext, slot: (days: number, time: string) => string | undefined): Record<string, unknown> {
  const read = (expr: string): string | number => {
    const free = workday.exec(expr);
    if (free) {
      const at = slot(Number(free[1]), free[2]!);
      if (at === undefined) throw new ConnectorError(`No working day within ${free[1]} has ${free[2]} free.`, { retryable: false });
      return at;
    }
    const times = product.exec(expr);
    const [record, field] = (times?.[1] ?? expr).split('.') as [string, string];
    const value = context[record]?.[field];
    if (value === undefined || value === null) throw new ConnectorError(`The ${record} has no ${field} for {{${expr}}}.`, { retryable: false });
    return times ? Math.round(Number(value) * Number(times[2])) : value;
  };
  return Object.fromEntries(
    Object.entries(step.input).map(([key, value]) => {
      if (typeof value !== 'string') return [key, value];
      const whole = /^\{\{\s*([^}]+?)\s*\}\}$/.exec(value);
      return [key, whole ? read(whole[1]!) : value.replace(placeholder, (_m, expr: string) => String(read(expr)))];
    }),
  );
}

/** Playbooks change through the kernel: made by approving their card, paused, resumed and deleted by the operator. */
export function playbooksConnector({ db, clock, ids }: ConnectorDeps): Connector {
  const byKey = (key: string) => first(db.select().from(playbooks).where(eq(playbooks.idempotencyKey, key)));
  const byId = (id: string) => first(db.select().from(playbooks).where(eq(playbooks.id, id)));

  const create = defineOperation({
    name: 'playbooks.create',
    summary: 'create a playbook',
    input: playbookSpec.refine((spec) => unreadableTemplates(spec).length === 0, {
      error: 'a step names a record its trigger does not have',
    }),
    // Approving a playbook approves a routine of effects that reach clients; so it waits for the operator's tap, always.
    leavesSystem: true,
    async run(spec, ctx) {
      const now = clock.now();
      await db
        .insert(playbooks)
        .values({ id: ids.id('pb'), ...spec, status: 'active', idempotencyKey: ctx.idempotencyKey, createdAt: now, updatedAt: now })
        .onConflictDoNothing();
      return { playbook: (await byKey(ctx.idempotencyKey))!.id, name: spec.name };
    },
    lookup: async (key) => {
      const row = await byKey(key);
      return row ? { status: 'done', result: { playbook: row.id, name: row.name } } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'playbooks.delete', input: (_i, r) => ({ playbook: (r as { playbook: string }).playbook }) },
  });

  const change = (name: string, summary: string, to: Playbook['status'], undo: string) =>
    defineOperation({
      name,
      summary,
      input: z.object({ playbook: z.string().min(1) }),
      leavesSystem: false,
      async run({ playbook }) {
        const row = await byId(playbook);
        // Only resuming reaches a deleted playbook: that is how a delete is undone.
        if (!row || (row.status === 'deleted' && to !== 'active')) {
          throw new ConnectorError(`There is no playbook ${playbook}; /playbooks lists them.`, { retryable: false });
        }
        await db.update(playbooks).set({ status: to, updatedAt: clock.now() }).where(eq(playbooks.id, playbook));
        return { playbook, name: row.name, status: to };
      },
      async lookup(_key, { playbook }) {
        const row = await byId(playbook);
        return row?.status === to ? { status: 'done', result: { playbook, name: row.name, status: to } } : { status: 'not_done' };
      },
      compensation: { kind: 'operation', operation: undo, input: (i) => i },
    });

  return {
    name: 'playbooks',
    operations: [
      create,
      change('playbooks.pause', 'pause a playbook', 'paused', 'playbooks.resume'),
      change('playbooks.resume', 'resume a playbook', 'active', 'playbooks.pause'),
      // A deleted playbook is kept for its runs' history and never fires again; undoing the delete resumes it.
      change('playbooks.delete', 'delete a playbook', 'deleted', 'playbooks.resume'),
    ],
  };
}

/** Playbooks not deleted, with how often each ran and when last; newest first. */
export async function listPlaybooks(db: Db): Promise<(Playbook & { runs: number; lastRunAt: Date | null })[]> {
  const rows = await db
    .select()
    .from(playbooks)
    .where(inArray(playbooks.status, ['active', 'paused']))
    .orderBy(desc(playbooks.createdAt));
  return Promise.all(
    rows.map(async (p) => {
      const [stats] = await db
        .select({ runs: sql<number>`count(*)`, last: sql<number | null>`max(${playbookRuns.createdAt})` })
        .from(playbookRuns)
        .where(eq(playbookRuns.playbookId, p.id));
      return { ...p, runs: Number(stats?.runs ?? 0), lastRunAt: stats?.last ? new Date(stats.last) : null };
    }),
  );
}

/**
 * The playbook run an action was proposed for, read from its key (`playbook:<run>:<step>`, or a run's notice): the
 * playbook, and the run's number among that playbook's runs, counted from 1 in the order they opened.
 */
export async function playbookRunOfKey(db: Db, key: string): Promise<{ playbookId: string; name: string; run: number } | undefined> {
  const runId = /^playbook:([^:]+):/.exec(key)?.[1];
  if (!runId) return undefined;
  const [row] = await db
    .select({ run: playbookRuns, name: playbooks.name })
    .from(playbookRuns)
    .innerJoin(playbooks, eq(playbooks.id, playbookRuns.playbookId))
    .where(eq(playbookRuns.id, runId));
  if (!row) return undefined;
  const { playbookId, createdAt, id } = row.run;
  const [earlier] = await db
    .select({ n: sql<number>`count(*)` })
    .from(playbookRuns)
    .where(
      and(
        eq(playbookRuns.playbookId, playbookId),
        or(lt(playbookRuns.createdAt, createdAt), and(eq(playbookRuns.createdAt, createdAt), lte(playbookRuns.id, id))),
      ),
    );
  return { playbookId, name: row.name, run: Number(earlier?.n ?? 1) };
}

export const activePlaybooks = (db: Db): Promise<Playbook[]> => db.select().from(playbooks).where(eq(playbooks.status, 'active'));
export const playbookById = (db: Db, id: string) => first(db.select().from(playbooks).where(eq(playbooks.id, id)));

const DAY_MS = 86_400_000;

/** A record an event fired for: its id (the run's subject), a title for the run, and the records its templates read. */
export interface PlaybookSubject {
  id: string;
  title: string;
  context: TemplateContext;
}

const clientContext = (c: typeof clients.$inferSelect) => ({ id: c.id, name: c.name, email: c.email, contact: c.contactName ?? c.name });

/**
 * The records whose event happened since the playbook was made (up to `now`), each a subject it fires for once; for a
 * schedule, the current period (`week:2026-11-30`, `month:2026-12-01`) once its time came.
 */
export async function triggerSubjects(db: Db, playbook: Playbook, now: Date, timeZone: string): Promise<PlaybookSubject[]> {
  const since = playbook.createdAt;
  const trigger = playbookTrigger.parse(playbook.trigger);
  if (trigger.event === 'schedule') {
    const { day, at } = latestOccurrence(trigger, now, timeZone);
    if (at < since) return [];
    const label =
      trigger.every === 'week'
        ? `the week of ${day}`
        : new Date(`${day}T12:00:00Z`).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    return [{ id: `${trigger.every}:${day}`, title: label, context: { period: { day, at: at.toISOString(), label } } }];
  }
  const client = async (id: string) => first(db.select().from(clients).where(eq(clients.id, id)));
  if (trigger.event === 'client_added') {
    const rows = await db
      .select()
      .from(clients)
      .where(and(gte(clients.createdAt, since), lte(clients.createdAt, now)));
    return rows.map((c) => ({ id: c.id, title: c.name, context: { client: clientContext(c) } }));
  }
  if (trigger.event === 'proposal_accepted') {
    const rows = await db
      .select()
      .from(proposals)
      .where(and(eq(proposals.status, 'accepted'), isNotNull(proposals.decidedAt), gte(proposals.decidedAt, since), lte(proposals.decidedAt, now)));
    const out: PlaybookSubject[] = [];
    for (const p of rows) {
      const c = await client(p.clientId);
      if (!c) continue;
      out.push({
        id: p.id,
        title: `${c.name}: ${p.title}`,
        context: {
          client: clientContext(c),
          proposal: { id: p.id, title: p.title, hoursCenti: p.hoursCenti, rateMinor: p.rateMinor, currency: p.currency, totalMinor: p.totalMinor },
        },
      });
    }
    return out;
  }
  const rows =
    trigger.event === 'invoice_paid'
      ? await db
          .select()
          .from(invoices)
          .where(and(eq(invoices.status, 'paid'), isNotNull(invoices.paidAt), gte(invoices.paidAt, since), lte(invoices.paidAt, now)))
      : // Overdue by N days: due N days before now, and that moment came after the playbook was made (old debts do not all fire at once).
        await db
          .select()
          .from(invoices)
          .where(
            and(
              eq(invoices.status, 'sent'),
              lte(invoices.dueAt, new Date(now.getTime() - trigger.days * DAY_MS)),
              gte(invoices.dueAt, new Date(since.getTime() - trigger.days * DAY_MS)),
            ),
          );
  const out: PlaybookSubject[] = [];
  for (const i of rows) {
    const c = await client(i.clientId);
    if (!c) continue;
    out.push({
      id: i.id,
      title: `${c.name}: invoice ${i.number}`,
      context: { client: clientContext(c), invoice: { id: i.id, number: i.number, totalMinor: i.totalMinor, currency: i.currency } },
    });
  }
  return out;
}
