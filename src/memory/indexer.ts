import type { Client, InStatement } from '@libsql/client';
import { asc, inArray, isNull, lte, ne, or } from 'drizzle-orm';
import { canonicalJson, sha256Hex } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../storage/index.js';
import { isMemorySource, loadDocs, type MemoryDoc, type MemorySource } from './documents.js';
import type { Embedder } from './embedding/index.js';
import { ftsRemove, ftsReplace } from './fts.js';
import { memoryChanges, memoryDocs } from './tables.js';
import { staleVectorTables, vectorStore, type VectorStore } from './vectors.js';

export interface IndexerDeps {
  db: Db;
  client: Client;
  embedder: Embedder;
  logger: Logger;
  /** Rows taken per round: bounds how long one round holds the write lock and how many texts go to the embedder at once. */
  batchSize?: number;
}

const DEFAULT_BATCH = 256;

const docHash = (doc: MemoryDoc) => sha256Hex(canonicalJson({ kind: doc.kind, clientId: doc.clientId, text: doc.text, at: doc.at.getTime() }));

export interface Indexer {
  /** The embedder the current vectors come from. */
  embedder: Embedder;
  /** The current embedder's vector table. */
  vectors: VectorStore;
  /** Indexes everything changed since the last round; returns how many queued changes it took. */
  sync(): Promise<number>;
  /** Moves every document to the current embedder, batch by batch, then drops the old vector tables; returns how many moved. */
  reembed(): Promise<number>;
}

/**
 * Keeps memory_docs, the FTS5 table and the current embedder's vector table
 * in step with the records. `sync` drains the change queue the triggers fill
 * (cheap when little changed, so recall runs it first); `reembed` moves
 * documents whose vector came from another embedder to the current one, one
 * batch at a time, on its own queue, so a change of embedder never holds up
 * a chat turn: recall meanwhile finds through FTS, client mentions and the
 * part already re-embedded.
 */
export function createIndexer(deps: IndexerDeps): Indexer {
  const { db, client, embedder, logger } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH;
  const vectors = vectorStore(client, embedder.id);
  /** Runs work one at a time, in order. */
  const queue = () => {
    let tail: Promise<unknown> = Promise.resolve();
    return <T>(work: () => Promise<T>): Promise<T> => {
      const next = tail.then(work);
      tail = next.catch(() => undefined);
      return next;
    };
  };
  // Two sync rounds must not take the same queued changes. Re-embedding has its own queue, so a recall's
  // sync never waits behind a batch going to the embedder; its writes only land on unchanged documents.
  const exclusive = queue();
  const reembedding = queue();

  async function vectorStatements(docs: MemoryDoc[]): Promise<InStatement[]> {
    if (!docs.length) return [];
    const embedded = await embedder.embed(docs.map((d) => d.text));
    await vectors.ensure(embedded[0]!.length);
    return [vectors.upsert(docs.map((d, i) => ({ sourceId: d.sourceId, vector: embedded[i]! })))];
  }

  /** Writes the current documents of `ids` (from one source) and drops those whose rows are gone. */
  async function write(source: MemorySource, ids: string[]): Promise<void> {
    const docs = await loadDocs(db, source, ids);
    const existing = new Map((await db.select().from(memoryDocs).where(inArray(memoryDocs.sourceId, ids))).map((row) => [row.sourceId, row]));
    const hashes = await Promise.all(docs.map(docHash));
    const changed = docs.filter((d, i) => existing.get(d.sourceId)?.hash !== hashes[i]);
    const hashOf = new Map(docs.map((d, i) => [d.sourceId, hashes[i]!]));
    const present = new Set(docs.map((d) => d.sourceId));
    const gone = [...existing.values()].filter((row) => !present.has(row.sourceId));
    const statements: InStatement[] = [];
    for (const row of gone) {
      statements.push(ftsRemove(row.seq), { sql: 'DELETE FROM memory_docs WHERE seq = ?', args: [row.seq] });
      if (row.embedder === embedder.id) statements.push(vectors.remove(row.seq));
    }
    // One statement per table for the whole batch: preparing a statement per document was most of the build time.
    if (changed.length) {
      statements.push(
        {
          sql: `INSERT INTO memory_docs (source_id, kind, client_id, text, hash, embedder, at) VALUES ${changed.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}
                ON CONFLICT (source_id) DO UPDATE SET kind = excluded.kind, client_id = excluded.client_id, text = excluded.text,
                  hash = excluded.hash, embedder = excluded.embedder, at = excluded.at`,
          args: changed.flatMap((d) => [d.sourceId, d.kind, d.clientId, d.text, hashOf.get(d.sourceId)!, embedder.id, d.at.getTime()]),
        },
        ...ftsReplace(changed.map((d) => d.sourceId)),
      );
    }
    statements.push(...(await vectorStatements(changed)));
    if (statements.length) await client.batch(statements, 'write');
  }

  /** One round of the change queue; returns how many queued changes it took. */
  const syncRound = () =>
    exclusive(async () => {
      const changes = await db.select().from(memoryChanges).orderBy(asc(memoryChanges.seq)).limit(batchSize);
      if (!changes.length) return 0;
      const bySource = new Map<MemorySource, Set<string>>();
      for (const change of changes) {
        if (!isMemorySource(change.source)) {
          logger.warn('memory: dropping a change from a table memory does not read', { source: change.source });
          continue;
        }
        bySource.set(change.source, (bySource.get(change.source) ?? new Set()).add(change.sourceId));
      }
      for (const [source, ids] of bySource) await write(source, [...ids]);
      await db.delete(memoryChanges).where(lte(memoryChanges.seq, changes.at(-1)!.seq));
      return changes.length;
    });

  /**
   * One batch of documents whose vector is missing or from another embedder;
   * returns how many it took. A document whose text changed meanwhile was
   * re-indexed by sync with the current embedder, so its write is skipped.
   */
  const reembedRound = () =>
    reembedding(async () => {
      const stale = await db
        .select()
        .from(memoryDocs)
        .where(or(isNull(memoryDocs.embedder), ne(memoryDocs.embedder, embedder.id)))
        .orderBy(asc(memoryDocs.seq))
        .limit(batchSize);
      if (!stale.length) return 0;
      const embedded = await embedder.embed(stale.map((row) => row.text));
      await vectors.ensure(embedded[0]!.length);
      await client.batch(
        stale.flatMap((row, i) => [
          vectors.upsertIfUnchanged(row.seq, row.hash, embedded[i]!),
          { sql: 'UPDATE memory_docs SET embedder = ? WHERE seq = ? AND hash = ?', args: [embedder.id, row.seq, row.hash] },
        ]),
        'write',
      );
      return stale.length;
    });

  async function untilDone(round: () => Promise<number>): Promise<number> {
    let total = 0;
    for (let n = await round(); n > 0; n = await round()) total += n;
    return total;
  }

  /** Vector tables of earlier embedders, once no document still relies on them. */
  const dropStale = () =>
    reembedding(async () => {
      const pending = await db
        .select({ seq: memoryDocs.seq })
        .from(memoryDocs)
        .where(or(isNull(memoryDocs.embedder), ne(memoryDocs.embedder, embedder.id)))
        .limit(1);
      if (pending.length) return [];
      const tables = await staleVectorTables(client, vectors.table);
      for (const table of tables) await client.execute(`DROP TABLE IF EXISTS "${table}"`);
      return tables;
    });

  return {
    embedder,
    vectors,
    /** Indexes everything changed since the last round. */
    sync: () => untilDone(syncRound),
    /** Moves every document to the current embedder, batch by batch, then drops the old vector tables. */
    async reembed(): Promise<number> {
      const moved = await untilDone(reembedRound);
      const dropped = await dropStale();
      if (moved || dropped.length) logger.info('memory: re-indexed for a new embedder', { embedder: embedder.id, documents: moved, dropped });
      return moved;
    },
  };
}
