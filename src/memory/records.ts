import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../storage/index.js';
import { clients, invoices, meetings, notes, proposals } from './tables.js';

export type Client = typeof clients.$inferSelect;
export type Invoice = typeof invoices.$inferSelect;
export type Proposal = typeof proposals.$inferSelect;
export type Meeting = typeof meetings.$inferSelect;
export type Note = typeof notes.$inferSelect;

export type ClientMatch =
  | { status: 'found'; client: Client }
  | { status: 'ambiguous'; candidates: Client[] }
  | { status: 'none' };

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

export const clientById = async (db: Db, id: string) =>
  (await db.select().from(clients).where(eq(clients.id, id)))[0];

export async function listInvoices(
  db: Db,
  filter: { clientId?: string; status?: Invoice['status'][]; overdueAt?: Date },
): Promise<Invoice[]> {
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

export const invoiceByNumber = async (db: Db, number: string) =>
  (await db.select().from(invoices).where(eq(invoices.number, number)))[0];

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

export async function latestProposals(db: Db, clientId?: string, limit = 5): Promise<Proposal[]> {
  return db
    .select()
    .from(proposals)
    .where(clientId ? eq(proposals.clientId, clientId) : undefined)
    .orderBy(desc(proposals.createdAt))
    .limit(limit);
}

export async function notesAbout(db: Db, opts: { clientId?: string; text?: string; kinds: Note['kind'][]; limit?: number }) {
  const pattern = opts.text ? `%${escapeLike(opts.text.toLowerCase())}%` : undefined;
  return db
    .select()
    .from(notes)
    .where(
      and(
        inArray(notes.kind, opts.kinds),
        or(
          opts.clientId ? eq(notes.clientId, opts.clientId) : undefined,
          pattern ? sql`lower(${notes.text}) like ${pattern} escape '\\'` : undefined,
        ),
      ),
    )
    .orderBy(desc(notes.createdAt))
    .limit(opts.limit ?? 10);
}
