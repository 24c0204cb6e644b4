import type { Client } from '@libsql/client';
import { and, desc, inArray } from 'drizzle-orm';
import type { MemoryKind } from './kinds.js';
import type { Db } from '../storage/index.js';
import type { Tracer } from '../core/tracing.js';
import { ftsSearch } from './fts.js';
import type { Indexer } from './indexer.js';
import { mentionedClients } from './mentions.js';
import { fuseRanks } from './rrf.js';
import { memoryDocs } from './tables.js';
import { queryTerms } from './words.js';

export interface RecallQuery {
  text: string;
  /** The asking agent's scope (scopes[agent].memory): nothing of another kind is ever returned. */
  kinds: readonly MemoryKind[];
  limit?: number;
}

export type RecallChannel = 'fts' | 'vector' | 'client';

/** One remembered thing, with the id an answer cites and the channels that found it. */
export interface RecallHit {
  id: string;
  kind: MemoryKind;
  clientId: string | null;
  text: string;
  /** The lines of `text` that share a word with the query (its start when none do), for showing in a reply. */
  excerpt: string;
  at: Date;
  score: number;
  via: RecallChannel[];
}

const DEFAULT_LIMIT = 10;
const EXCERPT_CHARS = 400;

function excerpt(text: string, query: string): string {
  const terms = queryTerms(query);
  const lines = text.split('\n');
  const matching = lines.filter((line) => terms.some((t) => line.toLowerCase().includes(t)));
  const shown = (matching.length ? matching : lines).join(' · ');
  return shown.length > EXCERPT_CHARS ? `${shown.slice(0, EXCERPT_CHARS - 1)}…` : shown;
}
/** Each channel ranks more than the caller wants, so fusion has overlap to work with. */
const CHANNEL_DEPTH = 3;
/** The vector scan ranks across all kinds; fetching deeper leaves enough in-scope neighbours after filtering. */
const VECTOR_OVERFETCH = 8;

/** Hybrid recall (full text, vectors, client mentions, fused by rank) within the asking agent's scope; syncs the index first. */
export type Recall = (query: RecallQuery) => Promise<RecallHit[]>;

/**
 * Hybrid recall: FTS5 (exact words, invoice numbers, addresses), vector
 * neighbours (inflections, typos, and paraphrases with a model embedder) and
 * the documents of any client the query names, fused by reciprocal rank.
 * The scope filter is in every query, so out-of-scope rows never leave SQL.
 */
export function createRecall(deps: { db: Db; client: Client; indexer: Indexer; tracer: Tracer }): Recall {
  const { db, client, indexer, tracer } = deps;

  async function vectorChannel(query: string, kinds: readonly MemoryKind[], depth: number): Promise<number[]> {
    const [vector] = await indexer.embedder.embed([query]);
    const relevant = await indexer.vectors.nearest(vector!, depth * VECTOR_OVERFETCH, indexer.embedder.minSimilarity);
    if (!relevant.length) return [];
    const inScope = new Set(
      (
        await db
          .select({ seq: memoryDocs.seq })
          .from(memoryDocs)
          .where(
            and(
              inArray(
                memoryDocs.seq,
                relevant.map((n) => n.seq),
              ),
              inArray(memoryDocs.kind, [...kinds]),
            ),
          )
      ).map((r) => r.seq),
    );
    return relevant
      .filter((n) => inScope.has(n.seq))
      .slice(0, depth)
      .map((n) => n.seq);
  }

  async function clientChannel(query: string, kinds: readonly MemoryKind[], depth: number): Promise<number[]> {
    const named = await mentionedClients(db, query);
    if (!named.length) return [];
    const rows = await db
      .select({ seq: memoryDocs.seq })
      .from(memoryDocs)
      .where(and(inArray(memoryDocs.clientId, named), inArray(memoryDocs.kind, [...kinds])))
      .orderBy(desc(memoryDocs.at))
      .limit(depth);
    return rows.map((r) => r.seq);
  }

  return function recall(query: RecallQuery): Promise<RecallHit[]> {
    const asked = {
      'keel.recall.kinds': query.kinds.join(','),
      'keel.recall.query': tracer.includeContent ? query.text : undefined,
      'keel.recall.query_chars': query.text.length,
    };
    return tracer.span('memory.recall', asked, async (span) => {
      const hits = await search(query);
      // Ids only: the documents are the operator's records.
      span.set({
        'keel.recall.hits': hits.length,
        'keel.recall.ids': hits.map((h) => h.id).join(','),
        'keel.recall.channels': [...new Set(hits.flatMap((h) => h.via))].join(','),
      });
      return hits;
    });
  };

  async function search(query: RecallQuery): Promise<RecallHit[]> {
    if (!query.kinds.length || !query.text.trim()) return [];
    await indexer.sync();
    const limit = query.limit ?? DEFAULT_LIMIT;
    const depth = limit * CHANNEL_DEPTH;
    const [fts, vector, named] = await Promise.all([
      ftsSearch(client, query.text, query.kinds, depth),
      vectorChannel(query.text, query.kinds, depth),
      clientChannel(query.text, query.kinds, depth),
    ]);
    const fused = fuseRanks<number, RecallChannel>({ fts, vector, client: named }).slice(0, limit);
    if (!fused.length) return [];
    const docs = new Map(
      (
        await db
          .select()
          .from(memoryDocs)
          .where(
            inArray(
              memoryDocs.seq,
              fused.map((f) => f.item),
            ),
          )
      ).map((d) => [d.seq, d]),
    );
    return fused.flatMap(({ item, score, via }) => {
      const doc = docs.get(item);
      return doc
        ? [{ id: doc.sourceId, kind: doc.kind, clientId: doc.clientId, text: doc.text, excerpt: excerpt(doc.text, query.text), at: doc.at, score, via }]
        : [];
    });
  }
}
