import { sql } from 'drizzle-orm';
import type { Db } from '../../storage/index.js';

/**
 * Tables the full export leaves out, each for a reason: the conversation
 * engine's serialized state (the words are in `transcript`), delivery and
 * lease bookkeeping, file bytes (the files are their own download), and the
 * workspace's sign-in secrets, which must never travel in a chat file.
 */
const LEFT_OUT = new Set([
  'checkpoint_rows',
  'checkpoint_writes',
  'inbox',
  'turn_leases',
  'file_blobs',
  'workspace_keys',
  'workspace_sessions',
  'workspace_used_links',
]);

type Value = string | number | null | { base64: string };

const plain = (v: unknown): Value => {
  if (v instanceof ArrayBuffer) return { base64: Buffer.from(v).toString('base64') };
  if (ArrayBuffer.isView(v)) return { base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (typeof v === 'bigint') return v.toString();
  return v as string | number | null;
};

/**
 * Every table that holds the operator's data, read from the database's own
 * catalogue so a table added later is exported without anyone remembering to
 * list it; derived indexes (full-text and vector tables) are rebuilt from
 * the rows and left out. Rows are as stored: times in epoch milliseconds.
 */
export async function dataExport(db: Db, exportedAt: Date): Promise<{ json: string; tables: number; rows: number }> {
  const catalogue = await db.run(sql`SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`);
  const all = catalogue.rows.map((r) => ({ name: String(r.name), sql: String(r.sql ?? '') }));
  const virtual = all.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql)).map((t) => t.name);
  const kept = all.filter(
    (t) =>
      !LEFT_OUT.has(t.name) &&
      !/^(sqlite_|libsql_|__drizzle)/.test(t.name) &&
      !virtual.some((v) => t.name === v || t.name.startsWith(`${v}_`)) &&
      !/F32_BLOB/i.test(t.sql),
  );
  const tables: Record<string, Record<string, Value>[]> = {};
  let rows = 0;
  for (const { name } of kept) {
    const result = await db.run(sql.raw(`SELECT * FROM "${name.replace(/"/g, '""')}"`));
    tables[name] = result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column, plain(row[i])])));
    rows += result.rows.length;
  }
  const json = JSON.stringify({ format: 'keel-data-export', version: 1, exportedAt: exportedAt.toISOString(), tables }, null, 1);
  return { json, tables: kept.length, rows };
}
