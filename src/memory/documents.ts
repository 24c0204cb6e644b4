import { inArray } from 'drizzle-orm';
import type { MemoryKind } from './kinds.js';
import { formatHours, formatMoney } from '../core/money.js';
import { describeLine } from '../core/billing.js';
import type { Db } from '../storage/index.js';
import { emailReplies, outboxEmails } from '../connectors/email/tables.js';
import { clientAliases, clients, invoices, meetings, notes, projects, proposals, tasks } from '../records/index.js';
import { memorySummaries } from './tables.js';

/** What recall searches: one text per remembered thing, written so a match reads as a citation. */
export interface MemoryDoc {
  sourceId: string;
  kind: MemoryKind;
  clientId: string | null;
  text: string;
  at: Date;
}

/** The tables whose changes the triggers of migrations 0006, 0011 and 0013 queue, by the `source` they write. */
export const memorySources = [
  'clients',
  'notes',
  'proposals',
  'invoices',
  'meetings',
  'outbox_emails',
  'email_replies',
  'memory_summaries',
  'projects',
  'tasks',
] as const;
export type MemorySource = (typeof memorySources)[number];

const day = (d: Date) => d.toISOString().slice(0, 10);
const rate = (minor: number | null, currency: string) => (minor === null ? undefined : `${formatMoney(minor, currency)}/h`);

async function clientNames(db: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (!wanted.length) return new Map();
  const rows = await db.select({ id: clients.id, name: clients.name }).from(clients).where(inArray(clients.id, wanted));
  return new Map(rows.map((r) => [r.id, r.name]));
}

type Loader = (db: Db, ids: string[]) => Promise<MemoryDoc[]>;

const loaders: Record<MemorySource, Loader> = {
  async clients(db, ids) {
    const rows = await db.select().from(clients).where(inArray(clients.id, ids));
    const aliases = await db.select().from(clientAliases).where(inArray(clientAliases.clientId, ids));
    return rows.map((c) => {
      const known = aliases.filter((a) => a.clientId === c.id).map((a) => `${a.kind} ${a.value}`);
      const text = [
        `Client ${c.name}${c.contactName ? `, contact ${c.contactName}` : ''}${c.email ? ` <${c.email}>` : ''}.`,
        known.length ? `Also known as: ${known.join(', ')}.` : '',
        c.notes ? `Notes: ${c.notes}` : '',
      ];
      return { sourceId: c.id, kind: 'client', clientId: c.id, text: text.filter(Boolean).join(' '), at: c.updatedAt };
    });
  },
  async notes(db, ids) {
    const rows = await db.select().from(notes).where(inArray(notes.id, ids));
    return rows.map((n) => ({ sourceId: n.id, kind: n.kind, clientId: n.clientId, text: n.text, at: n.createdAt }));
  },
  async proposals(db, ids) {
    const rows = await db.select().from(proposals).where(inArray(proposals.id, ids));
    const names = await clientNames(
      db,
      rows.map((p) => p.clientId),
    );
    return rows.map((p) => {
      const terms = p.lines
        ? p.lines.map((l) => describeLine(l, p.currency)).join('; ')
        : [p.hoursCenti === null ? undefined : formatHours(p.hoursCenti), rate(p.rateMinor, p.currency)].filter(Boolean).join(' at ');
      const total = p.totalMinor === null ? '' : `, total ${formatMoney(p.totalMinor, p.currency)}`;
      const outcome = `${p.status}${p.decidedAt ? ` ${day(p.decidedAt)}` : ''}`;
      const text = `Proposal "${p.title}" to ${names.get(p.clientId) ?? p.clientId}${terms ? `: ${terms}` : ''}${total}; ${outcome}, drafted ${day(p.createdAt)}.${p.scope ? ` Scope: ${p.scope}` : ''}`;
      return { sourceId: p.id, kind: 'proposal', clientId: p.clientId, text, at: p.decidedAt ?? p.createdAt };
    });
  },
  async invoices(db, ids) {
    const rows = await db.select().from(invoices).where(inArray(invoices.id, ids));
    const names = await clientNames(
      db,
      rows.map((i) => i.clientId),
    );
    return rows.map((i) => {
      const paid = i.paidAt ? ` ${day(i.paidAt)}` : '';
      // Day rates and fixed prices have no hours: the description carries them.
      const terms = i.hoursCenti > 0 ? `, ${formatHours(i.hoursCenti)} at ${rate(i.rateMinor, i.currency)}` : '';
      const text = `Invoice ${i.number} to ${names.get(i.clientId) ?? i.clientId}: ${i.description}${terms}, total ${formatMoney(i.totalMinor, i.currency)}; ${i.status}${paid}, issued ${day(i.issuedAt)}, due ${day(i.dueAt)}.`;
      return { sourceId: i.id, kind: 'invoice', clientId: i.clientId, text, at: i.paidAt ?? i.issuedAt };
    });
  },
  async meetings(db, ids) {
    const rows = await db.select().from(meetings).where(inArray(meetings.id, ids));
    const names = await clientNames(
      db,
      rows.map((m) => m.clientId),
    );
    return rows.map((m) => ({
      sourceId: m.id,
      kind: 'meeting',
      clientId: m.clientId,
      text: `Meeting "${m.title}" with ${names.get(m.clientId) ?? m.clientId} on ${m.startsAt.toISOString()}, ${m.durationMinutes} minutes; ${m.status}.`,
      at: m.startsAt,
    }));
  },
  async outbox_emails(db, ids) {
    const rows = await db
      .select({
        id: outboxEmails.id,
        clientId: outboxEmails.clientId,
        to: outboxEmails.to,
        subject: outboxEmails.subject,
        body: outboxEmails.body,
        sentAt: outboxEmails.sentAt,
      })
      .from(outboxEmails)
      .where(inArray(outboxEmails.id, ids));
    return rows.map((e) => ({ sourceId: e.id, kind: 'email', clientId: e.clientId, text: `Email to ${e.to}: ${e.subject}\n${e.body}`, at: e.sentAt }));
  },
  async email_replies(db, ids) {
    const rows = await db.select().from(emailReplies).where(inArray(emailReplies.id, ids));
    return rows.map((r) => ({
      sourceId: r.id,
      kind: 'email',
      clientId: r.clientId,
      text: `Email from ${r.fromName ? `${r.fromName} ` : ''}<${r.fromAddress}>, received ${day(r.receivedAt)}: ${r.subject}\n${r.body}`,
      at: r.receivedAt,
    }));
  },
  async projects(db, ids) {
    const rows = await db.select().from(projects).where(inArray(projects.id, ids));
    const names = await clientNames(
      db,
      rows.map((p) => p.clientId),
    );
    return rows.map((p) => ({
      sourceId: p.id,
      kind: 'project',
      clientId: p.clientId,
      text: `Project "${p.name}"${p.clientId ? ` for ${names.get(p.clientId) ?? p.clientId}` : ''}; ${p.status}, started ${day(p.createdAt)}.`,
      at: p.updatedAt,
    }));
  },
  async tasks(db, ids) {
    const rows = await db.select().from(tasks).where(inArray(tasks.id, ids));
    const names = await clientNames(
      db,
      rows.map((t) => t.clientId),
    );
    const projectIds = rows.flatMap((t) => (t.projectId ? [t.projectId] : []));
    const projectNames = new Map(
      projectIds.length
        ? (await db.select({ id: projects.id, name: projects.name }).from(projects).where(inArray(projects.id, projectIds))).map((p) => [p.id, p.name])
        : [],
    );
    return rows.map((t) => {
      const about = [
        t.clientId ? `for ${names.get(t.clientId) ?? t.clientId}` : '',
        t.projectId ? `(project "${projectNames.get(t.projectId) ?? t.projectId}")` : '',
      ]
        .filter(Boolean)
        .join(' ');
      const state = t.status === 'done' ? `done${t.doneAt ? ` ${day(t.doneAt)}` : ''}` : 'open';
      return {
        sourceId: t.id,
        kind: 'task',
        clientId: t.clientId,
        text: `Task "${t.title}"${about ? ` ${about}` : ''}${t.dueOn ? `, due ${t.dueOn}` : ''}; ${state}.`,
        at: t.doneAt ?? t.createdAt,
      };
    });
  },
  async memory_summaries(db, ids) {
    const rows = await db.select().from(memorySummaries).where(inArray(memorySummaries.id, ids));
    return rows.map((s) => ({ sourceId: s.id, kind: 'summary', clientId: null, text: `Conversation summary: ${s.text}`, at: s.createdAt }));
  },
};

export const isMemorySource = (source: string): source is MemorySource => (memorySources as readonly string[]).includes(source);

/** The current documents of these rows; a row that no longer exists has none, so its document is dropped. */
export const loadDocs = (db: Db, source: MemorySource, ids: string[]): Promise<MemoryDoc[]> => loaders[source](db, ids);
