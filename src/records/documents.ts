import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../storage/index.js';
import { documents } from './document-tables.js';

export type ClientDocument = typeof documents.$inferSelect;

/**
 * A client's filed documents, newest first; with words ("contract", "signed
 * contract"), those whose caption or file name holds every one of them.
 */
export async function clientDocuments(db: Db, clientId: string, words: string[] = []): Promise<ClientDocument[]> {
  const rows = await db
    .select()
    .from(documents)
    .where(and(eq(documents.clientId, clientId), isNull(documents.removedAt)))
    .orderBy(desc(documents.createdAt));
  const wanted = words.map((w) => w.toLowerCase()).filter(Boolean);
  return rows.filter((d) => wanted.every((w) => `${d.label} ${d.name}`.toLowerCase().includes(w)));
}
