import { writeSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { InStatement } from '@libsql/client';
import { Sqlite3Client } from '@libsql/client/sqlite3';

/**
 * Crash injection for a child process, from the outside of the product code:
 * every durable write the process makes — a libSQL statement that changes
 * data, or a file renamed into its final place (outbox .eml, stored blobs) —
 * is a step boundary. Once armed, boundary n is counted just before that
 * write; when n equals the chosen crash point the process SIGKILLs itself
 * there, so nothing after it runs, not even pending promises.
 *
 * The libSQL client's prototype, the native libsql driver's statements and node:fs/promises are patched (the latter
 * via syncBuiltinESMExports, which updates the named imports other modules
 * already hold), so Keel is built exactly as `npm start` builds it.
 */

const WRITE = /^\s*(insert|update|delete|replace)\b/i;
const TABLE = /^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from|replace\s+into)\s+["`]?(\w+)["`]?/i;

const sqlOf = (stmt: InStatement | [string, unknown[]?]) => (typeof stmt === 'string' ? stmt : Array.isArray(stmt) ? stmt[0] : stmt.sql);

/** "UPDATE actions (state, decided_by, …)": the table and, for updates, the columns set. */
function describe(sql: string): string {
  const verb = (WRITE.exec(sql)?.[1] ?? 'write').toUpperCase();
  const table = TABLE.exec(sql)?.[1] ?? '?';
  const set = /\bset\s+(.*?)\s+where\b/is.exec(sql)?.[1];
  const columns = set ? [...set.matchAll(/["`]?(\w+)["`]?\s*=/g)].map((m) => m[1]).filter((c) => c !== 'updated_at') : [];
  return columns.length ? `${verb} ${table} (${columns.join(', ')})` : `${verb} ${table}`;
}

export interface CrashPoints {
  /** Starts counting boundaries (setup writes before this are not boundaries). */
  arm(): void;
  /** Every boundary passed so far, in order. */
  passed: string[];
}

export function installCrashPoints(crashAt: number): CrashPoints {
  let armed = false;
  const passed: string[] = [];
  const boundary = (label: string) => {
    if (!armed) return;
    passed.push(label);
    if (passed.length === crashAt) {
      // Synchronous to a pipe on Linux, so the parent reads the line before the kill.
      writeSync(1, `CRASH ${crashAt} ${label}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  };

  const proto = Sqlite3Client.prototype;
  const execute = proto.execute;
  proto.execute = function (this: Sqlite3Client, stmt: InStatement, args?: unknown) {
    const sql = sqlOf(stmt);
    if (WRITE.test(sql)) boundary(describe(sql));
    return execute.call(this, stmt as never, args as never);
  } as typeof proto.execute;
  const batch = proto.batch;
  proto.batch = function (this: Sqlite3Client, stmts: InStatement[], mode?: Parameters<typeof batch>[1]) {
    const writes = stmts.map(sqlOf).filter((sql) => WRITE.test(sql));
    if (writes.length) boundary(`batch [${[...new Set(writes.map(describe))].join(' + ')}]`);
    return batch.call(this, stmts as never, mode);
  } as typeof proto.batch;

  // The checkpointer writes through a second, native connection (node-sql.ts, prepared statements in one
  // transaction): its commit is the boundary, labelled with the writes the transaction holds.
  type Prepared = { run(...params: unknown[]): unknown };
  const Native = createRequire(import.meta.url)('libsql') as { prototype: { prepare(this: object, sql: string): Prepared } };
  const prepare = Native.prototype.prepare;
  const pending = new WeakMap<object, string[]>();
  Native.prototype.prepare = function (this: object, sql: string) {
    const statement = prepare.call(this, sql);
    const run = statement.run;
    const db = this;
    statement.run = (...params: unknown[]) => {
      const writes = pending.get(db) ?? [];
      if (WRITE.test(sql)) pending.set(db, [...writes, describe(sql)]);
      if (/^\s*(commit|rollback)\b/i.test(sql)) {
        pending.delete(db);
        if (/^\s*commit\b/i.test(sql) && writes.length) boundary(`native batch [${[...new Set(writes)].join(' + ')}]`);
      }
      return run.apply(statement, params);
    };
    return statement;
  };

  const fsPromises = createRequire(import.meta.url)('node:fs/promises') as typeof import('node:fs/promises');
  const rename = fsPromises.rename;
  fsPromises.rename = (from, to) => {
    const target = String(to);
    boundary(`RENAME into ${target.endsWith('.eml') ? 'the outbox (.eml)' : 'the files store (blob)'}`);
    return rename(from, to);
  };
  syncBuiltinESMExports();

  return {
    arm: () => {
      armed = true;
    },
    passed,
  };
}
