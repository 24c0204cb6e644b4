import type { Client, InStatement } from '@libsql/client';

/**
 * One vector table per embedder, made on first use: F32_BLOB needs a fixed
 * width, and widths differ between embedders (256 for hashed-ngram-v1, 1536
 * for text-embedding-3-small, …), so this DDL cannot live in a migration.
 * A row's rowid is its memory_docs.seq; `rev` grows with every write, so each
 * process reads only the vectors written since it last looked.
 */
const PREFIX = 'memory_vectors_';
/** Rows read per query while loading, so a first load of 100k vectors never holds them all as blobs at once. */
const LOAD_PAGE = 5000;

export const vectorTable = (embedderId: string) => `${PREFIX}${embedderId.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;

const blob = (vector: Float32Array) => new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);

function floats(value: unknown): Float32Array {
  if (value instanceof ArrayBuffer) return new Float32Array(value);
  if (value instanceof Uint8Array) return new Float32Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  throw new TypeError(`memory: a stored vector is not a blob (${typeof value})`);
}

export interface VectorHit {
  seq: number;
  similarity: number;
}

/**
 * Every vector of one table, quantised to 8 bits with one scale per vector and
 * stored dimension by dimension: a query touches only the dimensions it uses,
 * each one a tight loop over contiguous bytes. An exact scan of 100k memories
 * takes a few milliseconds and a quarter of the float size (25.6 MB at 256
 * dimensions), where libSQL's DiskANN index cost tens of milliseconds per query
 * and most of the index build. Plain typed arrays, so it runs on Workers too.
 */
class QuantisedVectors {
  private capacity = 0;
  private count = 0;
  private codes = new Int8Array(0);
  private scales = new Float32Array(0);
  private seqs = new Float64Array(0);
  private readonly slots = new Map<number, number>();

  constructor(private readonly dimensions: number) {}

  get size(): number {
    return this.count;
  }

  put(seq: number, vector: Float32Array): void {
    if (vector.length !== this.dimensions) throw new TypeError(`memory: a vector of ${vector.length} dimensions in a table of ${this.dimensions}`);
    let slot = this.slots.get(seq);
    if (slot === undefined) {
      if (this.count === this.capacity) this.grow();
      slot = this.count++;
      this.slots.set(seq, slot);
      this.seqs[slot] = seq;
    }
    let largest = 0;
    for (const v of vector) largest = Math.max(largest, Math.abs(v));
    const scale = largest / 127 || 1;
    this.scales[slot] = scale;
    for (let d = 0; d < this.dimensions; d += 1) this.codes[d * this.capacity + slot] = Math.round(vector[d]! / scale);
  }

  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2);
    const codes = new Int8Array(capacity * this.dimensions);
    for (let d = 0; d < this.dimensions; d += 1) codes.set(this.codes.subarray(d * this.capacity, d * this.capacity + this.count), d * capacity);
    const scales = new Float32Array(capacity);
    scales.set(this.scales);
    const seqs = new Float64Array(capacity);
    seqs.set(this.seqs);
    Object.assign(this, { capacity, codes, scales, seqs });
  }

  /** The `k` most similar with similarity at least `floor`, best first (cosine: vectors are unit length). */
  nearest(query: Float32Array, k: number, floor: number): VectorHit[] {
    const n = this.count;
    const scores = new Float32Array(n);
    for (let d = 0; d < this.dimensions; d += 1) {
      const q = query[d]!;
      if (q === 0) continue;
      const codes = this.codes.subarray(d * this.capacity, d * this.capacity + n);
      for (let i = 0; i < n; i += 1) scores[i]! += q * codes[i]!;
    }
    // A min-heap of the best k so far, in typed arrays: most candidates lose one comparison against its root.
    const heapScores = new Float32Array(k);
    const heapSlots = new Int32Array(k);
    let size = 0;
    for (let i = 0; i < n; i += 1) {
      const s = scores[i]! * this.scales[i]!;
      if (s < floor || (size === k && s <= heapScores[0]!)) continue;
      let at: number;
      if (size < k) {
        at = size++;
        while (at > 0) {
          const parent = (at - 1) >> 1;
          if (heapScores[parent]! <= s) break;
          heapScores[at] = heapScores[parent]!;
          heapSlots[at] = heapSlots[parent]!;
          at = parent;
        }
      } else {
        at = 0;
        for (;;) {
          const left = 2 * at + 1;
          if (left >= size) break;
          const child = left + 1 < size && heapScores[left + 1]! < heapScores[left]! ? left + 1 : left;
          if (heapScores[child]! >= s) break;
          heapScores[at] = heapScores[child]!;
          heapSlots[at] = heapSlots[child]!;
          at = child;
        }
      }
      heapScores[at] = s;
      heapSlots[at] = i;
    }
    return Array.from({ length: size }, (_, j) => ({ seq: this.seqs[heapSlots[j]!]!, similarity: heapScores[j]! })).sort((a, b) => b.similarity - a.similarity);
  }
}

/** One embedder's vectors: stored in libSQL, searched by an exact scan of this process's quantised copy. */
export interface VectorStore {
  /** The table's name, derived from the embedder id. */
  table: string;
  /** Creates the table with this width on first use; a no-op once it exists. */
  ensure(dimensions: number): Promise<void>;
  /** One statement writing the vectors of these documents (by source id), each under a higher rev. */
  upsert(rows: { sourceId: string; vector: Float32Array }[]): InStatement;
  /** A statement writing the vector only while the document still has the text it was made from (its hash), so a concurrent re-index wins. */
  upsertIfUnchanged(seq: number, hash: string, vector: Float32Array): InStatement;
  /** A statement removing the document's vector. */
  remove(seq: number): InStatement;
  /** The k most similar vectors with similarity at least `floor`, best first. */
  nearest(vector: Float32Array, k: number, floor: number): Promise<VectorHit[]>;
}

export function vectorStore(client: Client, embedderId: string): VectorStore {
  const table = vectorTable(embedderId);
  const revIndex = `${table}_rev`;
  /** The DiskANN index earlier versions kept; dropped when the table is first used. */
  const diskAnnIndex = `${table}_idx`;
  const nextRev = `(SELECT coalesce(max(rev), 0) + 1 FROM "${table}")`;
  let ready = false;
  let loaded: { vectors: QuantisedVectors; rev: number } | undefined;
  /** Refreshes run one after another, each after the caller's own writes, so none misses a vector committed before it began. */
  let refreshed: Promise<void> = Promise.resolve();

  /** Whether the table exists; a table made by an earlier version gains `rev` and loses its DiskANN index here, once. */
  async function exists(): Promise<boolean> {
    if (ready) return true;
    const { rows } = await client.execute({ sql: 'SELECT name FROM pragma_table_info(?)', args: [table] });
    if (!rows.length) return false;
    if (!rows.some((r) => r.name === 'rev')) {
      await client.batch(
        [
          `ALTER TABLE "${table}" ADD COLUMN rev INTEGER NOT NULL DEFAULT 0`,
          // Every rev distinct, as later writes keep them, so loading can page by rev alone.
          `UPDATE "${table}" SET rev = seq`,
          `CREATE INDEX IF NOT EXISTS "${revIndex}" ON "${table}" (rev)`,
          `DROP INDEX IF EXISTS "${diskAnnIndex}"`,
        ],
        'write',
      );
    }
    ready = true;
    return true;
  }

  async function dimensions(): Promise<number> {
    const { rows } = await client.execute(`SELECT length(embedding) / 4 AS n FROM "${table}" LIMIT 1`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Reads the vectors written (by any process) since the last read. */
  async function refresh(): Promise<void> {
    if (!loaded) {
      const n = await dimensions();
      if (!n) return;
      loaded = { vectors: new QuantisedVectors(n), rev: -1 };
    }
    const into = loaded;
    for (;;) {
      const { rows } = await client.execute({
        sql: `SELECT seq, embedding, rev FROM "${table}" WHERE rev > ? ORDER BY rev LIMIT ${LOAD_PAGE}`,
        args: [into.rev],
      });
      for (const row of rows) {
        into.vectors.put(Number(row.seq), floats(row.embedding));
        into.rev = Number(row.rev);
      }
      if (rows.length < LOAD_PAGE) return;
    }
  }

  return {
    table,
    async ensure(dims: number): Promise<void> {
      if (await exists()) return;
      await client.batch(
        [
          `CREATE TABLE IF NOT EXISTS "${table}" (seq INTEGER PRIMARY KEY, embedding F32_BLOB(${dims}) NOT NULL, rev INTEGER NOT NULL DEFAULT 0)`,
          `CREATE INDEX IF NOT EXISTS "${revIndex}" ON "${table}" (rev)`,
        ],
        'write',
      );
      ready = true;
    },
    /** One statement for a batch; each row gets its own, higher rev (however SQLite evaluates the subquery, the offsets keep them apart). */
    upsert: (rows: { sourceId: string; vector: Float32Array }[]): InStatement => ({
      sql: `INSERT OR REPLACE INTO "${table}" (seq, embedding, rev) VALUES ${rows
        .map((_, i) => `((SELECT seq FROM memory_docs WHERE source_id = ?), vector32(?), ${nextRev} + ${i})`)
        .join(', ')}`,
      args: rows.flatMap((r) => [r.sourceId, blob(r.vector)]),
    }),
    /** Writes the vector only while the document still has the text it was made from (its hash), so a concurrent re-index wins. */
    upsertIfUnchanged: (seq: number, hash: string, vector: Float32Array): InStatement => ({
      sql: `INSERT OR REPLACE INTO "${table}" (seq, embedding, rev) SELECT seq, vector32(?), ${nextRev} FROM memory_docs WHERE seq = ? AND hash = ?`,
      args: [blob(vector), seq, hash],
    }),
    // A deleted document's vector may linger in another process's copy; recall joins every hit with memory_docs
    // (whose seq is never reused), so it is never returned.
    remove: (seq: number): InStatement => ({ sql: `DELETE FROM "${table}" WHERE seq = ?`, args: [seq] }),
    /** The k most similar vectors with similarity at least `floor`, by an exact scan of this process's quantised copy. */
    async nearest(vector: Float32Array, k: number, floor: number): Promise<VectorHit[]> {
      if (!(await exists())) return [];
      refreshed = refreshed.catch(() => undefined).then(refresh);
      await refreshed;
      return loaded ? loaded.vectors.nearest(vector, k, floor) : [];
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
