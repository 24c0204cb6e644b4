import type { Client, InStatement } from '@libsql/client';

/**
 * One vector table per embedder, made on first use: F32_BLOB needs a fixed
 * width, and widths differ between embedders (256 for hashed-ngram-v1, 1536
 * for text-embedding-3-small, …), so this DDL cannot live in a migration.
 * A row's rowid is its memory_docs.seq.
 */
const PREFIX = 'memory_vectors_';

// DiskANN with 8-bit neighbours and few edges: measured several times faster to build than the defaults,
// and the FTS side of hybrid recall covers what an approximate neighbour search misses.
const INDEX_OPTIONS = ["'metric=cosine'", "'compress_neighbors=float8'", "'max_neighbors=8'"].join(', ');

export const vectorTable = (embedderId: string) => `${PREFIX}${embedderId.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;

const blob = (vector: Float32Array) => new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);

export interface VectorHit {
  seq: number;
  similarity: number;
}

/** The current embedder's vector table; writes come back as statements so the indexer batches them with its own. */
export interface VectorStore {
  /** The table's name, derived from the embedder id. */
  table: string;
  /** Creates the table and its index with this width on first use; a no-op once it exists. */
  ensure(dimensions: number): Promise<void>;
  /** A statement writing the vector of the document with this source id. */
  upsert(sourceId: string, vector: Float32Array): InStatement;
  /** A statement writing the vector only while the document still has the text it was made from (its hash), so a concurrent re-index wins. */
  upsertIfUnchanged(seq: number, hash: string, vector: Float32Array): InStatement;
  /** A statement removing the document's vector. */
  remove(seq: number): InStatement;
  /** The k nearest by the approximate index, with their exact cosine similarity. */
  nearest(vector: Float32Array, k: number): Promise<VectorHit[]>;
}

export function vectorStore(client: Client, embedderId: string): VectorStore {
  const table = vectorTable(embedderId);
  const index = `${table}_idx`;
  let created = false;

  async function exists(): Promise<boolean> {
    if (created) return true;
    const found = await client.execute({ sql: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", args: [table] });
    created = found.rows.length > 0;
    return created;
  }

  return {
    table,
    async ensure(dimensions: number): Promise<void> {
      if (await exists()) return;
      await client.batch(
        [
          `CREATE TABLE IF NOT EXISTS "${table}" (seq INTEGER PRIMARY KEY, embedding F32_BLOB(${dimensions}) NOT NULL)`,
          `CREATE INDEX IF NOT EXISTS "${index}" ON "${table}" (libsql_vector_idx(embedding, ${INDEX_OPTIONS}))`,
        ],
        'write',
      );
      created = true;
    },
    upsert: (sourceId: string, vector: Float32Array): InStatement => ({
      sql: `INSERT OR REPLACE INTO "${table}" (seq, embedding) VALUES ((SELECT seq FROM memory_docs WHERE source_id = ?), vector32(?))`,
      args: [sourceId, blob(vector)],
    }),
    /** Writes the vector only while the document still has the text it was made from (its hash), so a concurrent re-index wins. */
    upsertIfUnchanged: (seq: number, hash: string, vector: Float32Array): InStatement => ({
      sql: `INSERT OR REPLACE INTO "${table}" (seq, embedding) SELECT seq, vector32(?) FROM memory_docs WHERE seq = ? AND hash = ?`,
      args: [blob(vector), seq, hash],
    }),
    remove: (seq: number): InStatement => ({ sql: `DELETE FROM "${table}" WHERE seq = ?`, args: [seq] }),
    /** The k nearest by the approximate index, with their exact cosine similarity. */
    async nearest(vector: Float32Array, k: number): Promise<VectorHit[]> {
      if (!(await exists())) return [];
      const { rows } = await client.execute({
        sql: `SELECT v.seq AS seq, 1 - vector_distance_cos(v.embedding, vector32(?1)) AS similarity
              FROM vector_top_k('${index}', vector32(?1), ?2) AS k JOIN "${table}" AS v ON v.rowid = k.id
              ORDER BY similarity DESC`,
        args: [blob(vector), k],
      });
      return rows.map((r) => ({ seq: Number(r.seq), similarity: Number(r.similarity) }));
    },
  };
}

/** Vector tables of embedders no longer in use; dropped once the current one covers every document. */
export async function staleVectorTables(client: Client, current: string): Promise<string[]> {
  const { rows } = await client.execute({
    sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'memory\\_vectors\\_%' ESCAPE '\\' AND name NOT LIKE '%\\_shadow' ESCAPE '\\' AND name <> ?",
    args: [current],
  });
  return rows.map((r) => String(r.name));
}
