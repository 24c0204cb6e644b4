import type { Client, InStatement } from '@libsql/client';
import type { MemoryKind } from './kinds.js';
import { queryTerms } from './words.js';

/**
 * FTS5 rows share their rowid with memory_docs.seq (migration 0006 makes the table). Re-indexes
 * the documents' current text, written just before; two statements per batch, not two per document.
 */
export const ftsReplace = (sourceIds: string[]): InStatement[] => {
  const list = sourceIds.map(() => '?').join(', ');
  return [
    { sql: `DELETE FROM memory_fts WHERE rowid IN (SELECT seq FROM memory_docs WHERE source_id IN (${list}))`, args: sourceIds },
    { sql: `INSERT INTO memory_fts (rowid, text) SELECT seq, text FROM memory_docs WHERE source_id IN (${list})`, args: sourceIds },
  ];
};

export const ftsRemove = (seq: number): InStatement => ({ sql: 'DELETE FROM memory_fts WHERE rowid = ?', args: [seq] });

/** Each term quoted, so FTS5 reads "2026-0003" or "dana@acme.test" as a phrase and never as query syntax. */
const quoted = (term: string) => `"${term.replace(/"/g, '""')}"`;

/** A term in more documents than this share of them (and than COMMON_FLOOR) is left out of the FTS query. */
const COMMON_SHARE = 1 / 20;
const COMMON_FLOOR = 500;

/**
 * The query's terms without the common ones. BM25 weighs a word in most
 * documents at almost nothing, yet FTS5 scores every document it matches, so
 * "invoice" in every memory made each query cost a millisecond per thousand
 * memories. Each term is counted only up to the limit (FTS5 stops reading
 * there), and the vectors and client mentions still rank by the words left out.
 */
async function selectiveTerms(client: Client, terms: string[]): Promise<string[]> {
  const { rows } = await client.execute('SELECT coalesce(max(seq), 0) AS n FROM memory_docs');
  const limit = Math.max(COMMON_FLOOR, Math.ceil(Number(rows[0]!.n) * COMMON_SHARE));
  const counts = await client.execute({
    sql: `SELECT ${terms.map((_, i) => `(SELECT count(*) FROM (SELECT 1 FROM memory_fts WHERE memory_fts MATCH ?${i + 1} LIMIT ?${terms.length + 1}))`).join(', ')}`,
    args: [...terms.map(quoted), limit + 1],
  });
  const row = counts.rows[0]!;
  return terms.filter((_, i) => Number(row[i]) <= limit);
}

/** Documents of the given kinds by BM25 rank (best first). */
export async function ftsSearch(client: Client, query: string, kinds: readonly MemoryKind[], k: number): Promise<number[]> {
  const terms = queryTerms(query);
  if (!terms.length || !kinds.length) return [];
  const selective = await selectiveTerms(client, terms);
  if (!selective.length) return [];
  const { rows } = await client.execute({
    sql: `SELECT d.seq AS seq FROM memory_fts JOIN memory_docs AS d ON d.seq = memory_fts.rowid
          WHERE memory_fts MATCH ? AND d.kind IN (${kinds.map(() => '?').join(', ')})
          ORDER BY bm25(memory_fts) LIMIT ?`,
    args: [selective.map(quoted).join(' OR '), ...kinds, k],
  });
  return rows.map((r) => Number(r.seq));
}
