import { join } from 'node:path';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { openNativeConnection } from '../src/platform/node-sql.js';
import { formatMs, perSecond, summarize } from './stats.js';
import { check, inTurns, times, withTempDir, type BenchGroup, type Row } from './support.js';

const ROUNDS = 400;
const KEYS = 2_000;
/** About a messages value of the small graph's tenth turn. */
const VALUE = 'x'.repeat(2_500);
/** More than the CPU's private caches: what a graph step or a chat turn does between two checkpointer calls. */
const OTHER_WORK_BYTES = 16 * 1024 * 1024;

interface Driver {
  name: string;
  read(key: number): unknown;
  write(key: number): void;
}

const SCHEMA = 'CREATE TABLE rows (thread_id TEXT, checkpoint_ns TEXT, version TEXT, value TEXT, PRIMARY KEY (thread_id, checkpoint_ns, version))';
const READ = 'SELECT value FROM rows WHERE thread_id = ? AND checkpoint_ns = ? AND version = ?';
const WRITE = 'INSERT OR REPLACE INTO rows VALUES (?, ?, ?, ?)';
const keyArgs = (key: number) => [`thread:${key % 100}`, '', String(key)];

/** `libsql` as Keel's checkpointer runs it: a native connection with its statements prepared once (src/platform/node-sql.ts). */
function libsqlDriver(dir: string): Driver & { close(): void } {
  const connection = openNativeConnection(join(dir, 'libsql.db'));
  connection.prepared('PRAGMA journal_mode = WAL').get();
  connection.prepared(SCHEMA).run();
  const read = connection.prepared(READ).raw(true);
  const write = connection.prepared(WRITE);
  return { name: 'libsql', read: (key) => read.get(keyArgs(key)), write: (key) => write.run([...keyArgs(key), VALUE]), close: connection.close };
}

/** better-sqlite3 as SqliteSaver runs it (its own connection, WAL, synchronous=NORMAL as in the checkpointer group), the statements prepared once. */
function betterSqliteDriver(dir: string): Driver & { close(): void } {
  const { db } = SqliteSaver.fromConnString(join(dir, 'better-sqlite3.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  const read = db.prepare(READ).raw(true);
  const write = db.prepare(WRITE);
  return { name: 'better-sqlite3', read: (key) => read.get(keyArgs(key)), write: (key) => write.run([...keyArgs(key), VALUE]), close: () => db.close() };
}

type Operation = 'point read' | 'one-row replace';
type Temperature = 'warm' | 'after other work';

/**
 * The two drivers on the same SQLite statements and data, with nothing of
 * Keel's or LangGraph's around them: what is left of LibSQLSaver's margin to
 * SqliteSaver once both run the same SQL. "After other work" times a call
 * that follows 16 MiB of unrelated memory traffic, as a checkpointer call in a
 * graph follows the step before it; "warm" times the same statement again at once.
 */
export const driver: BenchGroup = {
  name: 'driver',
  async run(progress) {
    progress(`libsql and better-sqlite3 in turns: ${ROUNDS} rounds of a point read and a one-row replace, each after other work and again at once`);
    const latencies = new Map<string, number[]>();
    const samples = (name: string, operation: Operation, temperature: Temperature) => {
      const key = `${operation}|${temperature}|${name}`;
      if (!latencies.has(key)) latencies.set(key, []);
      return latencies.get(key)!;
    };
    const measure = (side: Driver, operation: Operation, temperature: Temperature, work: () => unknown) => {
      const start = performance.now();
      work();
      samples(side.name, operation, temperature).push(performance.now() - start);
    };
    const otherWork = new Float64Array(OTHER_WORK_BYTES / Float64Array.BYTES_PER_ELEMENT);
    const touchOtherMemory = () => {
      for (let i = 0; i < otherWork.length; i += 8) otherWork[i]! += 1;
    };
    await withTempDir('driver', async (dir) => {
      const drivers = [libsqlDriver(dir), betterSqliteDriver(dir)];
      try {
        for (const side of drivers) for (let key = 0; key < KEYS; key++) side.write(key);
        await inTurns(ROUNDS, drivers, async (side, round) => {
          const key = (round * 7) % KEYS;
          touchOtherMemory();
          measure(side, 'point read', 'after other work', () => side.read(key));
          measure(side, 'point read', 'warm', () => check(side.read(key + 1) !== undefined, `${side.name} read its row`));
          touchOtherMemory();
          measure(side, 'one-row replace', 'after other work', () => side.write(KEYS + round));
          measure(side, 'one-row replace', 'warm', () => side.write(2 * KEYS + round));
        });
      } finally {
        for (const side of drivers) side.close();
      }
    });

    const rows: Row[] = [];
    for (const operation of ['point read', 'one-row replace'] as Operation[]) {
      for (const temperature of ['after other work', 'warm'] as Temperature[]) {
        const latency = summarize(samples('libsql', operation, temperature));
        const baseline = summarize(samples('better-sqlite3', operation, temperature));
        rows.push({
          group: 'Driver',
          benchmark: `${operation}, ${temperature} · libsql`,
          latency,
          throughput: {
            value: perSecond(
              latency.n,
              samples('libsql', operation, temperature).reduce((sum, ms) => sum + ms, 0),
            ),
            unit: 'ops/s',
          },
          baseline: `better-sqlite3 ${formatMs(baseline.median)}, p99 ${formatMs(baseline.p99)}`,
          ratio: `${times(latency.median, baseline.median)}, p99 ${times(latency.p99, baseline.p99)}`,
          notes: temperature === 'warm' ? 'the same statement again at once' : 'after 16 MiB of other memory traffic, as a call in a graph follows a step',
        });
      }
    }
    return rows;
  },
};
