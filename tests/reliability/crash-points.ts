import { writeSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';

/**
 * Crash injection for a child process, from the outside of the product code:
 * every durable write the process makes — a libSQL statement that changes
 * data, or a file renamed into its final place (outbox .eml, stored blobs) —
 * is a step boundary. Once armed, boundary n is counted just before that
 * write; when n equals the chosen crash point the process SIGKILLs itself
 * there, so nothing after it runs, not even pending promises.
 *
 * The native libsql driver's statements and node:fs/promises are patched (the latter
 * via syncBuiltinESMExports, which updates the named imports other modules
 * already hold), so Keel is built exactly as `npm start` builds it.
 */

const WRITE = /^\s*(insert|update|delete|replace)\b/i;
const TABLE = /^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from|replace\s+into)\s+["`]?(\w+)["`]?/i;

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

  // Every statement on a local file runs on a native libsql connection: drizzle's one-shot statements and the
  // checkpointer's on their own prepared-once connections (node-client.ts, node-sql.ts), interactive transactions
  // and migrations on the client's pool. A write outside a transaction is a boundary just before it runs; writes
  // inside one make their COMMIT the boundary, labelled with what the transaction holds.
  type Prepared = Record<'run' | 'all' | 'get', (...params: unknown[]) => unknown>;
  type Connection = { inTransaction: boolean };
  const Native = createRequire(import.meta.url)('libsql') as { prototype: { prepare(this: Connection, sql: string): Prepared } };
  const prepare = Native.prototype.prepare;
  const pending = new WeakMap<Connection, string[]>();
  Native.prototype.prepare = function (this: Connection, sql: string) {
    const statement = prepare.call(this, sql);
    const db = this;
    for (const method of ['run', 'all', 'get'] as const) {
      const original = statement[method];
      statement[method] = (...params: unknown[]) => {
        if (WRITE.test(sql)) {
          if (db.inTransaction) pending.set(db, [...(pending.get(db) ?? []), describe(sql)]);
          else boundary(describe(sql));
        } else if (/^\s*(commit|rollback)\b/i.test(sql)) {
          const writes = pending.get(db) ?? [];
          pending.delete(db);
          if (/^\s*commit\b/i.test(sql) && writes.length) boundary(`batch [${[...new Set(writes)].join(' + ')}]`);
        }
        return original.apply(statement, params);
      };
    }
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
