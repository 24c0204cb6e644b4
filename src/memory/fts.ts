import type { Client, InStatement } from '@libsql/client';
import type { MemoryKind } from './kinds.js';
import { queryTerms } from './words.js';

/** FTS5 rows share their rowid with memory_docs.seq (migration 0006 makes the table). */
export const ftsReplace = (sourceId: string, text: string): InStatement[] => [
  { sql: 'DELETE FROM memory_fts WHERE rowid = (SELECT seq FROM memory_docs WHERE source_id = ?)', args: [sourceId] },
  { sql: 'INSERT INTO memory_fts (rowid, text) VALUES ((SELECT seq FROM memory_docs WHERE source_id = ?), ?)', args: [sourceId, text] },
];

export const ftsRemove = (seq: number): InStatement => ({ sql: 'DELETE FROM memory_fts WHERE rowid = ?', args: [seq] });

/** Each term quoted, so FTS5 reads "2026-0003" or "dana@acme.test" as a phrase and never as query syntax. */
export const matchExpression = (query: string) => queryTerms(query).map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');

/** Documents of the given kinds by BM25 rank (best first). */
export async function ftsSearch(client: Client, query: string, kinds: readonly MemoryKind[], k: number): Promise<number[]> {
  const match = matchExpression(query);
  if (!match || !kinds.length) return [];
  const { rows } = await client.execute({
    sql: `SELECT d.seq AS seq FROM memory_fts JOIN memory_docs AS d ON d.seq = memory_fts.rowid
          WHERE memory_fts MATCH ? AND d.kind IN (${kinds.map(() => '?').join(', ')})
          ORDER BY bm25(memory_fts) LIMIT ?`,
    args: [match, ...kinds, k],
  });
  return rows.map((r) => Number(r.seq));
}
