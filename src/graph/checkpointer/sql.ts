import type { InValue } from '@libsql/client';
import type { SqlStatement } from '../../storage/index.js';
import { INTERRUPT, TASKS } from '@langchain/langgraph-checkpoint';
import type { CheckpointAddress } from './config.js';

// Table and column names follow tables.ts: reads go through the views `checkpoints`
// and `checkpoint_blobs`, writes to `checkpoint_rows` under them. The saver speaks
// plain SQL so it only needs the generic libSQL Client (local file, remote libsql://, Workers alike).

const CHECKPOINT_COLUMNS = 'thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata';

const WRITE_COLUMNS = 'task_id, idx, channel, type, value, task_path';

/** What a read selects first: the checkpoints, by key, in the order they are returned. */
interface CheckpointSelection {
  where: string[];
  args: InValue[];
  limit: number;
}

/**
 * Checkpoints with their pending writes, and unless `values` is false their
 * channel values, in one statement (one snapshot, one round trip): a row per
 * checkpoint (`part` 0), per channel value (1) and per pending write (2), each
 * naming its checkpoint. Values come from the `channel_versions` column, so a
 * row written before it existed gets none here and its values are read by
 * `selectChannelValues`, as are all of them without `values`.
 *
 * The primary key orders a thread namespace's checkpoints; across namespaces
 * (a selection without both) the newest are found by sorting keys alone, from
 * the index, and only those rows are read, instead of sorting every checkpoint
 * of the thread with its bytes.
 */
function selectTuples({ where, args, limit }: CheckpointSelection, values = true): SqlStatement {
  const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const order = 'ORDER BY checkpoint_id DESC, thread_id DESC, checkpoint_ns DESC LIMIT ?';
  const inKeyOrder = where.includes('thread_id = ?') && where.includes('checkpoint_ns = ?');
  const checkpoints = inKeyOrder
    ? `c AS MATERIALIZED (SELECT ${CHECKPOINT_COLUMNS}, channel_versions FROM checkpoints ${filter} ${order})`
    : `k AS MATERIALIZED (SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints ${filter} ${order}),
          c AS MATERIALIZED (
            SELECT ${CHECKPOINT_COLUMNS.split(', ')
              .map((column) => `r.${column}`)
              .join(', ')}, r.channel_versions
            FROM k CROSS JOIN checkpoints AS r
              ON r.thread_id = k.thread_id AND r.checkpoint_ns = k.checkpoint_ns AND r.checkpoint_id = k.checkpoint_id)`;
  return {
    sql: `WITH ${checkpoints}
          SELECT 0 AS part, thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata,
                 channel_versions, NULL AS channel, NULL AS task_id, NULL AS idx, NULL AS task_path
            FROM c
          ${
            values
              ? `UNION ALL
          SELECT 1, c.thread_id, c.checkpoint_ns, c.checkpoint_id, NULL, b.type, b.blob, NULL, NULL, b.channel, NULL, NULL, NULL
            FROM c CROSS JOIN json_each(c.channel_versions) AS v
            CROSS JOIN checkpoint_blobs AS b
              ON b.thread_id = c.thread_id AND b.checkpoint_ns = c.checkpoint_ns AND b.channel = v.key AND b.version = v.value`
              : ''
          }
          UNION ALL
          SELECT 2, c.thread_id, c.checkpoint_ns, c.checkpoint_id, NULL, w.type, w.value, NULL, NULL, w.channel, w.task_id, w.idx, w.task_path
            FROM c CROSS JOIN checkpoint_writes AS w
              ON w.thread_id = c.thread_id AND w.checkpoint_ns = c.checkpoint_ns AND w.checkpoint_id = c.checkpoint_id`,
    args: [...args, limit],
  };
}

/**
 * The head read of a thread whose values the saver has cached: the checkpoint row
 * alone, and whether it has pending writes, so the common case (none) is one row
 * and one step of the statement.
 */
function selectHeadRow(byId: boolean): string {
  return `SELECT ${CHECKPOINT_COLUMNS}, channel_versions,
            EXISTS (SELECT 1 FROM checkpoint_writes AS w
                    WHERE w.thread_id = c.thread_id AND w.checkpoint_ns = c.checkpoint_ns AND w.checkpoint_id = c.checkpoint_id) AS has_writes
          FROM checkpoints AS c
          WHERE thread_id = ? AND checkpoint_ns = ?${byId ? ' AND checkpoint_id = ?' : ''}
          ORDER BY checkpoint_id DESC LIMIT 1`;
}

// getTuple's statements, built once: the runner looks prepared statements up by their text.
const TUPLE_SQL = {
  newest: selectTuples({ where: ['thread_id = ?', 'checkpoint_ns = ?'], args: [], limit: 1 }).sql,
  byId: selectTuples({ where: ['thread_id = ?', 'checkpoint_ns = ?', 'checkpoint_id = ?'], args: [], limit: 1 }).sql,
};
const HEAD_SQL = { newest: selectHeadRow(false), byId: selectHeadRow(true) };

/** One checkpoint (the newest of its namespace without an id) with its values and writes; see selectTuples. */
export function selectTuple(threadId: string, checkpointNs: string, checkpointId?: string): SqlStatement {
  if (checkpointId === undefined) return { sql: TUPLE_SQL.newest, args: [threadId, checkpointNs, 1] };
  return { sql: TUPLE_SQL.byId, args: [threadId, checkpointNs, checkpointId, 1] };
}

/** One checkpoint row (the newest of its namespace without an id) with `has_writes`; see selectHeadRow. */
export function selectHead(threadId: string, checkpointNs: string, checkpointId?: string): SqlStatement {
  if (checkpointId === undefined) return { sql: HEAD_SQL.newest, args: [threadId, checkpointNs] };
  return { sql: HEAD_SQL.byId, args: [threadId, checkpointNs, checkpointId] };
}

export interface ListScope {
  threadId?: string | undefined;
  checkpointNs?: string | undefined;
  checkpointId?: string | undefined;
  before?: string | undefined;
}

/**
 * One page of `list`, newest first, with pending writes (see selectTuples). The
 * values are left to the saver's cache and one lookup for the page, since
 * neighbouring checkpoints share most of theirs. The page cursor is the full
 * primary key of the last row seen, so pages neither skip nor repeat rows when
 * two threads happen to share a checkpoint id.
 */
export function selectCheckpointPage(scope: ListScope, after: CheckpointAddress | undefined, size: number): SqlStatement {
  const where: string[] = [];
  const args: string[] = [];
  if (scope.threadId !== undefined) {
    where.push('thread_id = ?');
    args.push(scope.threadId);
  }
  if (scope.checkpointNs !== undefined) {
    where.push('checkpoint_ns = ?');
    args.push(scope.checkpointNs);
  }
  if (scope.checkpointId !== undefined) {
    where.push('checkpoint_id = ?');
    args.push(scope.checkpointId);
  }
  if (scope.before !== undefined) {
    where.push('checkpoint_id < ?');
    args.push(scope.before);
  }
  if (after !== undefined) {
    where.push('(checkpoint_id, thread_id, checkpoint_ns) < (?, ?, ?)');
    args.push(after.checkpointId, after.threadId, after.checkpointNs);
  }
  return selectTuples({ where, args, limit: size }, false);
}

export function selectWaitsAtInterrupt(threadId: string): SqlStatement {
  return {
    sql: `SELECT EXISTS (
            SELECT 1 FROM checkpoint_writes
            WHERE thread_id = ?1 AND checkpoint_ns = '' AND channel = ?2 AND checkpoint_id = (
              SELECT checkpoint_id FROM checkpoints WHERE thread_id = ?1 AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1)
          ) AS waiting`,
    args: [threadId, INTERRUPT],
  };
}

export function selectWrites(address: CheckpointAddress): SqlStatement {
  return {
    sql: `SELECT ${WRITE_COLUMNS} FROM checkpoint_writes
          WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?`,
    args: [address.threadId, address.checkpointNs, address.checkpointId],
  };
}

/** Sends a pre-v4 checkpoint's parent queued; v4 moved them into the checkpoint itself. */
export function selectPendingSends(address: CheckpointAddress): SqlStatement {
  return {
    sql: `SELECT ${WRITE_COLUMNS} FROM checkpoint_writes
          WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ? AND channel = ?`,
    args: [address.threadId, address.checkpointNs, address.checkpointId, TASKS],
  };
}

/**
 * The stored values of the given (channel, version) pairs of one thread namespace.
 * CROSS JOIN pins the loop order: SQLite otherwise walks every blob of the thread
 * (the primary key's thread/namespace prefix) and probes json_each per row, so a
 * read grew with the thread's whole history; driven from json_each, each pair
 * is one primary-key lookup, whatever the thread's age.
 */
export function selectChannelValues(threadId: string, checkpointNs: string, pairs: [channel: string, version: string][]): SqlStatement {
  return {
    sql: `SELECT b.channel, b.version, b.type, b.blob
          FROM json_each(?) AS v
          CROSS JOIN checkpoint_blobs AS b
            ON b.thread_id = ? AND b.checkpoint_ns = ? AND b.channel = v.value ->> 0 AND b.version = v.value ->> 1`,
    args: [JSON.stringify(pairs), threadId, checkpointNs],
  };
}

/**
 * A serialized checkpoint, metadata, channel value or write as stored: JSON goes
 * over as text (a TEXT value), so neither a put nor a read encodes or decodes it
 * in JavaScript — the driver converts strings natively; what another serializer
 * writes, and deflated history, are bytes (BLOB).
 */
export type StoredData = Uint8Array | string;

export interface StoredValue {
  type: string;
  data: StoredData;
  /** What `data` revived to, or the value a put serialized it from: kept by the saver's value cache (value-cache.ts). */
  revived?: { value: unknown };
}

export interface ChannelValueRow {
  channel: string;
  version: string;
  value: StoredValue;
}

/** The put statement's text by its number of value rows: the runner finds a prepared statement by its text, so it is built once. */
const insertCheckpointSql: string[] = [];

/**
 * A put in one statement, so one implicit transaction and one B-tree
 * (tables.ts): the changed channel values and the checkpoint row together. A
 * (channel, version) is written once, and a second put of it carries the same
 * value, so a value row already there stays; a checkpoint put again replaces its row.
 * The thread and namespace are bound once (?1, ?2) and a value row's unused
 * columns are NULL in the text: every argument bound is a call into the driver.
 */
export function insertCheckpoint(
  address: CheckpointAddress,
  parentCheckpointId: string | undefined,
  checkpoint: StoredValue,
  metadata: StoredData,
  channelVersions: string,
  source: string | undefined,
  values: ChannelValueRow[],
): SqlStatement {
  const { threadId, checkpointNs, checkpointId } = address;
  const args: InValue[] = [threadId, checkpointNs];
  for (const { channel, version, value } of values) args.push(channel, version, value.type, value.data);
  args.push(checkpointId, checkpoint.type, checkpoint.data, metadata, parentCheckpointId ?? null, channelVersions, source ?? null);
  insertCheckpointSql[values.length] ??= insertCheckpointText(values.length);
  return { sql: insertCheckpointSql[values.length]!, args };
}

function insertCheckpointText(valueRows: number): string {
  const rows: string[] = [];
  let next = 3;
  const params = (count: number) => Array.from({ length: count }, () => `?${next++}`).join(', ');
  for (let row = 0; row < valueRows; row++) rows.push(`(?1, ?2, ${params(4)}, NULL, NULL, NULL, NULL)`);
  const checkpointId = params(1);
  rows.push(`(?1, ?2, '', ${checkpointId}, ${params(6)})`);
  return `INSERT INTO checkpoint_rows (thread_id, checkpoint_ns, channel, version, type, blob, metadata, parent_checkpoint_id, channel_versions, source)
          VALUES ${rows.join(', ')}
          ON CONFLICT DO UPDATE SET type = excluded.type, blob = excluded.blob, metadata = excluded.metadata,
            parent_checkpoint_id = excluded.parent_checkpoint_id, channel_versions = excluded.channel_versions, source = excluded.source
          WHERE excluded.channel = ''`;
}

export interface WriteRow {
  taskId: string;
  idx: number;
  channel: string;
  value: StoredValue;
  taskPath: string;
}

/**
 * Regular writes keep the first value stored at their index (a retried task must
 * not overwrite what a resumed run already saw); special writes (errors,
 * interrupts, resumes) sit at fixed negative indexes and the latest one wins.
 * Rows of one kind go in one statement.
 */
export function insertWrites(address: CheckpointAddress, rows: WriteRow[], replace: boolean): SqlStatement {
  return {
    sql: `INSERT OR ${replace ? 'REPLACE' : 'IGNORE'} INTO checkpoint_writes
          (thread_id, checkpoint_ns, checkpoint_id, ${WRITE_COLUMNS})
          VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    args: rows.flatMap((row) => [
      address.threadId,
      address.checkpointNs,
      address.checkpointId,
      row.taskId,
      row.idx,
      row.channel,
      row.value.type,
      row.value.data,
      row.taskPath,
    ]),
  };
}

export function deleteThreadStatements(threadId: string): SqlStatement[] {
  return ['checkpoint_rows', 'checkpoint_writes'].map((table) => ({
    sql: `DELETE FROM ${table} WHERE thread_id = ?`,
    args: [threadId],
  }));
}
