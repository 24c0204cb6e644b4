import Database from 'libsql';
import type { InValue } from '@libsql/client';
import type { DatabaseSettings, SqlRunner, SqlRow, SqlStatement } from '../storage/index.js';
import { BUSY_TIMEOUT_MS, databaseFile } from './node-database.js';

type Prepared = Database.Statement<unknown[]>;

/**
 * A second, native connection to a local database file (the same libSQL engine
 * @libsql/client runs for `file:` URLs) whose statements are prepared once and
 * reused: the client prepares every statement afresh, which cost the checkpointer
 * most of its time. Calls are synchronous underneath, like the client's, so a
 * transaction never stays open across an await. Not for `:memory:`, where a
 * second connection would open a different, empty database.
 */
export function openLocalSql(settings: DatabaseSettings): (SqlRunner & { close(): void }) | undefined {
  const path = databaseFile(settings.url);
  if (!path) return undefined;
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  db.exec('PRAGMA synchronous = NORMAL');
  const cache = new Map<string, Prepared>();
  const prepared = (sql: string): Prepared => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  // Arguments go over as one array: given a lone object (a Buffer, or null), the driver would read it as named parameters.
  const rows = ({ sql, args }: SqlStatement) => prepared(sql).all(args.map(nativeValue)) as SqlRow[];
  const inTransaction = <T>(begin: string, work: () => T): T => {
    prepared(begin).run();
    try {
      const result = work();
      prepared('COMMIT').run();
      return result;
    } catch (error) {
      if (db.inTransaction) prepared('ROLLBACK').run();
      throw error;
    }
  };
  return {
    async query(statement) {
      return rows(statement);
    },
    async queryBatch(statements) {
      return inTransaction('BEGIN DEFERRED', () => statements.map(rows));
    },
    async write(statements) {
      inTransaction('BEGIN IMMEDIATE', () => {
        for (const { sql, args } of statements) prepared(sql).run(args.map(nativeValue));
      });
    },
    close() {
      cache.clear();
      if (db.open) db.close();
    },
  };
}

/** The client's argument types in the forms the native driver binds. */
function nativeValue(value: InValue): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value;
}
