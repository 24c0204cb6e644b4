import { LibsqlBatchError, LibsqlError, type Client, type InStatement, type ResultSet, type Row, type TransactionMode } from '@libsql/client';
import Database from 'libsql';
import type { NativeConnection } from './node-sql.js';

/**
 * The libSQL client for a local file with `execute` and `batch` on a native
 * connection whose statements are prepared once: drizzle's queries are a handful
 * of texts run over and over, and the client prepared and described each one
 * afresh on every call. Results, values and errors take the client's own shapes
 * (rows readable by index and by column name, blobs as ArrayBuffer, integers as
 * numbers, LibsqlError with the base and extended codes), so nothing above can
 * tell. Interactive transactions, migrations and scripts stay on the client.
 */
export function withNativeStatements(client: Client, connection: NativeConnection): Client {
  const execute = (statement: InStatement): ResultSet => run(connection, typeof statement === 'string' ? { sql: statement, args: [] } : statement);
  return {
    async execute(statement: InStatement | string, args?: unknown) {
      return guarded(() => execute(typeof statement === 'string' ? ({ sql: statement, args: args ?? [] } as InStatement) : statement));
    },
    async batch(statements, mode: TransactionMode = 'deferred') {
      // BEGIN and COMMIT can fail too (a locked file): guarded, they report as the client would.
      return guarded(() =>
        connection.transaction(beginFor(mode), () =>
          statements.map((statement, index) => {
            const normalized: InStatement = Array.isArray(statement) ? { sql: statement[0], args: statement[1] ?? [] } : statement;
            try {
              return execute(normalized);
            } catch (error) {
              throw batchError(libsqlError(error), index);
            }
          }),
        ),
      );
    },
    migrate: (statements) => client.migrate(statements),
    transaction: (mode) => client.transaction(mode),
    executeMultiple: (sql) => client.executeMultiple(sql),
    sync: () => client.sync(),
    close() {
      connection.close();
      client.close();
    },
    reconnect() {
      connection.reset();
      return client.reconnect();
    },
    get closed() {
      return client.closed;
    },
    get protocol() {
      return client.protocol;
    },
  } as Client;
}

type Prepared = ReturnType<NativeConnection['prepared']>;

/** What a statement reads, worked out once when it is prepared. */
const described = new WeakMap<Prepared, { columns: string[]; columnTypes: string[] } | null>();

function describe(statement: Prepared): void {
  statement.safeIntegers(true);
  if (!statement.reader) {
    described.set(statement, null);
    return;
  }
  statement.raw(true);
  const columns = statement.columns();
  described.set(statement, { columns: columns.map((column) => column.name), columnTypes: columns.map((column) => column.type ?? '') });
}

function run(connection: NativeConnection, { sql, args }: Exclude<InStatement, string>): ResultSet {
  const statement = connection.prepared(sql, describe);
  const bound = Array.isArray(args) ? args.map(toSql) : namedArgs(args ?? {});
  const shape = described.get(statement);
  if (shape) {
    const rows = (statement.all(bound) as unknown[][]).map((values) => toRow(values, shape.columns));
    return resultSet(shape.columns, shape.columnTypes, rows, 0, undefined);
  }
  const info = statement.run(bound);
  return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
}

function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw libsqlError(error);
  }
}

function beginFor(mode: TransactionMode): string {
  if (mode === 'write') return 'BEGIN IMMEDIATE';
  if (mode === 'read') return 'BEGIN TRANSACTION READONLY';
  return 'BEGIN DEFERRED';
}

function namedArgs(args: Record<string, unknown>): Record<string, unknown> {
  const named: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) named[/^[@$:]/.test(name) ? name.slice(1) : name] = toSql(value);
  return named;
}

const MIN_INTEGER = -9223372036854775808n;
const MAX_INTEGER = 9223372036854775807n;

/** As the client converts arguments (its `valueToSql`, integer mode "number"). */
function toSql(value: unknown): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
    return value;
  }
  if (typeof value === 'bigint') {
    if (value < MIN_INTEGER || value > MAX_INTEGER) throw new RangeError('bigint is too large to be represented as a 64-bit integer and passed as argument');
    return value;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  return value;
}

/** As the client reads values back: integers as numbers (refusing unsafe ones), blobs as ArrayBuffer. */
function fromSql(value: unknown): unknown {
  if (typeof value === 'bigint') {
    if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
    }
    return Number(value);
  }
  if (value instanceof Buffer) return value.buffer;
  return value;
}

/** The client's row: values by index (hidden) and by column name, with a hidden length. */
function toRow(values: unknown[], columns: string[]): Row {
  const row = {};
  Object.defineProperty(row, 'length', { value: values.length });
  for (let i = 0; i < values.length; i++) {
    const value = fromSql(values[i]);
    Object.defineProperty(row, i, { value });
    const column = columns[i]!;
    if (!Object.hasOwn(row, column)) Object.defineProperty(row, column, { value, enumerable: true, configurable: true, writable: true });
  }
  return row as Row;
}

function resultSet(columns: string[], columnTypes: string[], rows: Row[], rowsAffected: number, lastInsertRowid: bigint | undefined): ResultSet {
  return {
    columns,
    columnTypes,
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({
      columns,
      columnTypes,
      rows: rows.map((row) => Array.prototype.map.call(row, (value: unknown) => (typeof value === 'bigint' ? `${value}` : value))),
      rowsAffected,
      lastInsertRowid: lastInsertRowid === undefined ? null : `${lastInsertRowid}`,
    }),
  };
}

/** The driver's error as the client reports it: the base code (SQLITE_CONSTRAINT) with the extended one beside it. */
function libsqlError(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const extended = error.code;
  return new LibsqlError(error.message, extended.split('_').slice(0, 2).join('_'), extended, error.rawCode, error);
}

function batchError(error: unknown, index: number): unknown {
  if (!(error instanceof LibsqlError) || error instanceof LibsqlBatchError) return error;
  return new LibsqlBatchError(error.message, index, error.code, error.extendedCode, error.rawCode, error.cause instanceof Error ? error.cause : undefined);
}
