import { and, asc, desc, eq, inArray, isNotNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../storage/index.js';
import { clientAliases, clients, invoices, meetings, notes, projects, proposals, tasks } from './tables.js';
import { first } from '../core/rows.js';

export type Client = typeof clients.$inferSelect;
export type Invoice = typeof invoices.$inferSelect;
export type Proposal = typeof proposals.$inferSelect;
export type Meeting = typeof meetings.$inferSelect;
export type Note = typeof notes.$inferSelect;
export type Project = typeof projects.$inferSelect;
export type Task = typeof tasks.$inferSelect;

export type ClientMatch = { status: 'found'; client: Client } | { status: 'ambiguous'; candidates: Client[] } | { status: 'none' };

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One identity per client: an email address, a company name ("Acme" for
 * "Acme Corp") or a contact's first name all resolve to the same record, and
 * more than one plausible record is reported rather than guessed.
 */
export async function resolveClient(db: Db, query: string): Promise<ClientMatch> {
  const q = query.trim().toLowerCase();
  if (!q) return { status: 'none' };
  const byEmail = await db.select().from(clients).where(sql`lower(${clients.email}) = ${q}`);
  if (byEmail.length === 1) return { status: 'found', client: byEmail[0]! };
  // A second address, a Telegram or Slack user id, a nickname: exact matches on the alias table.
  const aliased = await db
    .selectDistinct({ client: clients })
    .from(clientAliases)
    .innerJoin(clients, eq(clients.id, clientAliases.clientId))
    .where(eq(clientAliases.value, q));
  if (aliased.length === 1) return { status: 'found', client: aliased[0]!.client };
  if (aliased.length > 1) return { status: 'ambiguous', candidates: aliased.map((a) => a.client) };
  const exact = await db
    .select()
    .from(clients)
    .where(or(sql`lower(${clients.name}) = ${q}`, sql`lower(${clients.contactName}) = ${q}`));
  if (exact.length === 1) return { status: 'found', client: exact[0]! };
  if (exact.length > 1) return { status: 'ambiguous', candidates: exact };
  const pattern = `%${escapeLike(q)}%`;
  const partial = await db
    .select()
    .from(clients)
    .where(
      or(
        sql`lower(${clients.name}) like ${pattern} escape '\\'`,
        sql`lower(${clients.contactName}) like ${pattern} escape '\\'`,
        sql`lower(${clients.email}) like ${pattern} escape '\\'`,
      ),
    )
    .limit(5);
  if (partial.length === 1) return { status: 'found', client: partial[0]! };
  if (partial.length > 1) return { status: 'ambiguous', candidates: partial };
  return { status: 'none' };
}

/**
 * Clients a new name may be a duplicate of ("Gamma AG" when "Gamma" exists): one name contains the other, or both
 * start with the same word, case-insensitive. The same name is not listed: adding it again updates that client.
 */
export async function similarClients(db: Db, name: string): Promise<Client[]> {
  const q = name.trim().toLowerCase();
  const word = q.split(/\s+/)[0] ?? q;
  return db
    .select()
    .from(clients)
    .where(
      and(
        sql`lower(${clients.name}) != ${q}`,
        or(
          sql`lower(${clients.name}) like ${`%${escapeLike(q)}%`} escape '\\'`,
          sql`instr(${q}, lower(${clients.name})) > 0`,
          sql`lower(${clients.name}) = ${word}`,
          sql`lower(${clients.name}) like ${`${escapeLike(word)} %`} escape '\\'`,
        ),
      ),
    )
    .orderBy(asc(clients.name))
    .limit(5);
}

export const clientById = (db: Db, id: string) => first(db.select().from(clients).where(eq(clients.id, id)));

export async function listInvoices(db: Db, filter: { clientId?: string; status?: Invoice['status'][]; overdueAt?: Date }): Promise<Invoice[]> {
  const conditions = [
    filter.clientId ? eq(invoices.clientId, filter.clientId) : undefined,
    filter.status ? inArray(invoices.status, filter.status) : undefined,
    filter.overdueAt ? and(eq(invoices.status, 'sent'), lt(invoices.dueAt, filter.overdueAt)) : undefined,
  ].filter((c) => c !== undefined);
  return db
    .select()
    .from(invoices)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(invoices.issuedAt), desc(invoices.seq));
}

export const invoiceByNumber = (db: Db, number: string) => first(db.select().from(invoices).where(eq(invoices.number, number)));

/** The rate last billed to a client, for "at last quarter's rate". */
export async function lastBilledRate(db: Db, clientId: string): Promise<Invoice | undefined> {
  return (
    await db
      .select()
      .from(invoices)
      .where(and(eq(invoices.clientId, clientId), inArray(invoices.status, ['sent', 'paid'])))
      .orderBy(desc(invoices.issuedAt), desc(invoices.seq))
      .limit(1)
  )[0];
}

export async function upcomingMeetings(db: Db, from: Date, limit = 10): Promise<Meeting[]> {
  return db
    .select()
    .from(meetings)
    .where(and(eq(meetings.status, 'booked'), sql`${meetings.startsAt} >= ${from.getTime()}`))
    .orderBy(meetings.startsAt)
    .limit(limit);
}

export const proposalsByIds = async (db: Db, ids: string[]): Promise<Proposal[]> =>
  ids.length ? db.select().from(proposals).where(inArray(proposals.id, ids)) : [];

/** A client's proposals, newest first: "Acme accepted the proposal" means the newest unless the operator names another. */
export const clientProposals = async (db: Db, clientId: string): Promise<Proposal[]> =>
  db.select().from(proposals).where(eq(proposals.clientId, clientId)).orderBy(desc(proposals.createdAt), desc(proposals.id));

/** Active projects whose name matches (case-insensitive), optionally of one client. */
export async function findProjects(db: Db, name: string, clientId?: string): Promise<Project[]> {
  const pattern = `%${escapeLike(name.trim().toLowerCase())}%`;
  return db
    .select()
    .from(projects)
    .where(and(eq(projects.status, 'active'), sql`lower(${projects.name}) like ${pattern} escape '\\'`, clientId ? eq(projects.clientId, clientId) : undefined))
    .orderBy(desc(projects.createdAt));
}

/**
 * Open tasks with a due day on or before `through` (an ISO day in the
 * operator's zone), earliest first: "what's due this week", the digest.
 * Tasks without a due day are never "due".
 */
export const tasksDueBy = async (db: Db, through: string, clientId?: string): Promise<Task[]> =>
  db
    .select()
    .from(tasks)
    .where(and(eq(tasks.status, 'open'), isNotNull(tasks.dueOn), lte(tasks.dueOn, through), clientId ? eq(tasks.clientId, clientId) : undefined))
    .orderBy(asc(tasks.dueOn), asc(tasks.createdAt));

/** Open tasks, those with a due day first (earliest first), optionally of one client. */
export const openTasks = async (db: Db, clientId?: string): Promise<Task[]> =>
  db
    .select()
    .from(tasks)
    .where(and(eq(tasks.status, 'open'), clientId ? eq(tasks.clientId, clientId) : undefined))
    .orderBy(sql`${tasks.dueOn} IS NULL`, asc(tasks.dueOn), asc(tasks.createdAt));

/**
 * Everything Keel holds on one client, newest first within each kind: the
 * read side of a client's workspace (projects, proposals, invoices, meetings,
 * tasks, notes).
 */
export async function clientRecords(db: Db, clientId: string) {
  const [projectRows, proposalRows, invoiceRows, meetingRows, taskRows, noteRows] = await Promise.all([
    db.select().from(projects).where(eq(projects.clientId, clientId)).orderBy(desc(projects.createdAt)),
    db.select().from(proposals).where(eq(proposals.clientId, clientId)).orderBy(desc(proposals.createdAt)),
    listInvoices(db, { clientId }),
    db.select().from(meetings).where(eq(meetings.clientId, clientId)).orderBy(desc(meetings.startsAt)),
    db.select().from(tasks).where(eq(tasks.clientId, clientId)).orderBy(desc(tasks.createdAt)),
    db
      .select()
      .from(notes)
      .where(and(eq(notes.clientId, clientId), eq(notes.kind, 'note')))
      .orderBy(desc(notes.createdAt)),
  ]);
  return { projects: projectRows, proposals: proposalRows, invoices: invoiceRows, meetings: meetingRows, tasks: taskRows, notes: noteRows };
}
