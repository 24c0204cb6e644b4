import { asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../storage/index.js';
import {
  clients,
  invoices,
  meetings,
  projects,
  proposals,
  tasks,
  type Client,
  type Invoice,
  type Meeting,
  type Project,
  type Proposal,
  type Task,
} from '../records/index.js';
import { memoryDocs, memorySummaries } from './tables.js';
import { first } from '../core/rows.js';

export interface ClientContext {
  client: Client;
  projects: Project[];
  /** Open tasks, those due soonest first. */
  tasks: Task[];
  proposals: Proposal[];
  invoices: Invoice[];
  meetings: Meeting[];
}

const MAX_CLIENTS = 200;

/**
 * What Keel knows, client by client: each client's projects, open tasks,
 * proposals, invoices and meetings, newest first. Six reads in all, grouped
 * here, because a solo business has tens of clients, not thousands.
 */
export async function contextMap(db: Db): Promise<ClientContext[]> {
  const [clientRows, projectRows, taskRows, proposalRows, invoiceRows, meetingRows] = await Promise.all([
    db.select().from(clients).orderBy(asc(clients.name)).limit(MAX_CLIENTS),
    db.select().from(projects).orderBy(desc(projects.createdAt)),
    db.select().from(tasks).where(eq(tasks.status, 'open')).orderBy(sql`${tasks.dueOn} IS NULL`, asc(tasks.dueOn), asc(tasks.createdAt)),
    db.select().from(proposals).orderBy(desc(proposals.createdAt)),
    db.select().from(invoices).orderBy(desc(invoices.issuedAt), desc(invoices.seq)),
    db.select().from(meetings).orderBy(desc(meetings.startsAt)),
  ]);
  const of = <T extends { clientId: string | null }>(rows: T[], id: string) => rows.filter((r) => r.clientId === id);
  return clientRows.map((client) => ({
    client,
    projects: of(projectRows, client.id),
    tasks: of(taskRows, client.id),
    proposals: of(proposalRows, client.id),
    invoices: of(invoiceRows, client.id),
    meetings: of(meetingRows, client.id),
  }));
}

/** The newest durable summary of a thread's compacted conversation. */
export const latestSummary = (db: Db, threadId: string) =>
  first(db.select().from(memorySummaries).where(eq(memorySummaries.threadId, threadId)).orderBy(desc(memorySummaries.createdAt)).limit(1));

/** The remembered things these ids name, as recall indexed them; ids memory does not hold are left out. */
export const memoryDocuments = async (db: Db, sourceIds: string[]) =>
  sourceIds.length ? db.select().from(memoryDocs).where(inArray(memoryDocs.sourceId, sourceIds)) : [];

/** One remembered thing by the id answers and reasons cite (cli_…, inv_…, sum_…), as recall indexed it. */
export const memoryDocument = (db: Db, sourceId: string) => first(db.select().from(memoryDocs).where(eq(memoryDocs.sourceId, sourceId)).limit(1));
