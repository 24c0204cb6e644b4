import Database from 'libsql';
import type { InValue } from '@libsql/client';
import type { DatabaseSettings, SqlRunner, SqlRow, SqlStatement } from '../storage/index.js';
import { fileURLToPath } from 'node:url';

type Prepared = Database.Statement<unknown[]>;

/** How long a connection waits for another process's write lock before it reports the database as locked. */
export const BUSY_TIMEOUT_MS = 5000;

/** The path of a local database file, or undefined for a remote or in-memory database. */
export function databaseFile(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const bare = url.replace(/^file:/, '').split('?')[0] ?? '';
  if (bare === ':memory:' || bare === '') return undefined;
  return bare.startsWith('//') ? fileURLToPath(url.split('?')[0]!) : bare;
}

/**
 * A native connection to a local database file (the same libSQL engine
 * @libsql/client runs for `file:` URLs) whose statements are prepared once and
 * reused: the client prepares every statement afresh, which cost the hot paths
 * most of their time. Calls are synchronous, so a transaction never stays open
 * across an await. Not for `:memory:`, where another connection would open a
 * different, empty database.
 */
export interface NativeConnection {
  /** The statement for `sql`, prepared on first use; `setup` runs once on a new one. */
  prepared(sql: string, setup?: (statement: Prepared) => void): Prepared;
  /** Runs `work` between `begin` and COMMIT, rolling back if it throws. */
  transaction<T>(begin: string, work: () => T): T;
  /** Drops every prepared statement and the connection; the next call opens a fresh one. */
  reset(): void;
  close(): void;
}

export function openNativeConnection(path: string): NativeConnection {
  let db: Database.Database | undefined;
  const cache = new Map<string, Prepared>();
  const open = (): Database.Database => {
    if (db === undefined) {
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      db.exec('PRAGMA synchronous = NORMAL');
    }
    return db;
  };
  const prepared = (sql: string, setup?: (statement: Prepared) => void): Prepared => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = open().prepare(sql);
      setup?.(statement);
      cache.set(sql, statement);
    }
    return statement;
  };
  const close = () => {
    cache.clear();
    if (db?.open) db.close();
    db = undefined;
  };
  return {
    prepared,
    transaction(begin, work) {
      prepared(begin).run();
      try {
        const result = work();
        prepared('COMMIT').run();
        return result;
      } catch (error) {
        if (db?.inTransaction) prepared('ROLLBACK').run();
        throw error;
      }
    },
    reset: close,
    close,
  };
}

/** The checkpointer's runner on a native connection of its own. */
export function openLocalSql(settings: DatabaseSettings): (SqlRunner & { close(): void }) | undefined {
  const path = databaseFile(settings.url);
  if (!path) return undefined;
  const connection = openNativeConnection(path);
  // Arguments go over as one array: given a lone object (a Buffer, or null), the driver would read it as named parameters.
  const rows = ({ sql, args }: SqlStatement) => {
    const { statement, columns } = reader(connection, sql);
    return (statement.all(nativeArgs(args)) as unknown[][]).map((values) => namedRow(values, columns));
  };
  return {
    async query(statement) {
      return rows(statement);
    },
    async queryFirst({ sql, args }) {
      const { statement, columns } = reader(connection, sql);
      const values = statement.get(nativeArgs(args)) as unknown[] | undefined;
      return values === undefined ? undefined : namedRow(values, columns);
    },
    async queryBatch(statements) {
      return connection.transaction('BEGIN DEFERRED', () => statements.map(rows));
    },
    async write(statements) {
      const run = ({ sql, args }: SqlStatement) => connection.prepared(sql).run(nativeArgs(args));
      // A lone statement is its own transaction; BEGIN and COMMIT around it would only cost two more calls.
      if (statements.length === 1) run(statements[0]!);
      else connection.transaction('BEGIN IMMEDIATE', () => statements.forEach(run));
    },
    close: connection.close,
  };
}

/**
 * The column names of statements read in raw mode. The driver builds a row object
 * a property at a time through N-API, which cost a head read a fifth of its time;
 * a row of values named here in JavaScript costs a fraction of that.
 */
const readColumns = new WeakMap<Prepared, string[]>();

function reader(connection: NativeConnection, sql: string): { statement: Prepared; columns: string[] } {
  const statement = connection.prepared(sql);
  let columns = readColumns.get(statement);
  if (columns === undefined) {
    statement.raw(true);
    columns = statement.columns().map((column) => column.name);
    readColumns.set(statement, columns);
  }
  return { statement, columns };
}

function namedRow(values: unknown[], columns: string[]): SqlRow {
  const row: SqlRow = {};
  for (let index = 0; index < columns.length; index++) row[columns[index]!] = values[index];
  return row;
}

/**
 * The client's argument types in the forms the native driver binds. It binds
 * strings, numbers, bigints, null and byte arrays (any Uint8Array view) as they
 * are, so the common statement's arguments go over without a copy.
 */
function nativeArgs(args: InValue[]): unknown[] {
  return args.some((value) => typeof value === 'boolean' || value instanceof Date || value instanceof ArrayBuffer) ? args.map(nativeValue) : args;
}

function nativeValue(value: InValue): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return value;
}
