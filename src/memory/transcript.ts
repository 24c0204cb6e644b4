import { desc, eq } from 'drizzle-orm';
import type { Db } from '../storage/index.js';
import { transcript } from './tables.js';

type Entry = typeof transcript.$inferInsert;

/** Every message in and out is kept whole here, whatever the graph's state later compacts away. */
export async function appendTranscript(db: Db, entries: Entry[]): Promise<void> {
  if (entries.length) await db.insert(transcript).values(entries);
}

export async function recentTranscript(db: Db, threadId: string, limit = 100) {
  const rows = await db.select().from(transcript).where(eq(transcript.threadId, threadId)).orderBy(desc(transcript.id)).limit(limit);
  return rows.reverse();
}
