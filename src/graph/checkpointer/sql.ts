import type { SqlStatement } from '../../storage/index.js';
import { TASKS } from '@langchain/langgraph-checkpoint';
import type { CheckpointAddress } from './config.js';

// Table and column names follow tables.ts; the saver speaks plain SQL so it only
// needs the generic libSQL Client (local file, remote libsql://, Workers alike).

const CHECKPOINT_COLUMNS = 'thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata';

const WRITE_COLUMNS = 'task_id, idx, channel, type, value, task_path';

export function selectCheckpoint(threadId: string, checkpointNs: string, checkpointId?: string): SqlStatement {
  if (checkpointId !== undefined) {
    return {
      sql: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints
            WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?`,
      args: [threadId, checkpointNs, checkpointId],
    };
  }
  return {
    sql: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints
          WHERE thread_id = ? AND checkpoint_ns = ?
          ORDER BY checkpoint_id DESC LIMIT 1`,
    args: [threadId, checkpointNs],
  };
}

export interface ListScope {
  threadId?: string | undefined;
  checkpointNs?: string | undefined;
  checkpointId?: string | undefined;
  before?: string | undefined;
}

/**
 * One page of `list`, newest first. The page cursor is the full primary key of
 * the last row seen, so pages neither skip nor repeat rows when two threads
 * happen to share a checkpoint id.
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
  return {
    sql: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints
          ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY checkpoint_id DESC, thread_id DESC, checkpoint_ns DESC
          LIMIT ?`,
    args: [...args, size],
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
 * The stored value of each channel at exactly the version the checkpoint records for it.
 * CROSS JOIN pins the loop order: SQLite otherwise walks every blob of the thread
 * (the primary key's thread/namespace prefix) and probes json_each per row, so a
 * read grew with the thread's whole history; driven from json_each, each channel
 * is one primary-key lookup, whatever the thread's age.
 */
export function selectChannelValues(threadId: string, checkpointNs: string, versions: Record<string, string>): SqlStatement {
  return {
    sql: `SELECT b.channel, b.type, b.blob
          FROM json_each(?) AS v
          CROSS JOIN checkpoint_blobs AS b
            ON b.thread_id = ? AND b.checkpoint_ns = ? AND b.channel = v.key AND b.version = v.value`,
    args: [JSON.stringify(versions), threadId, checkpointNs],
  };
}

export interface StoredBytes {
  type: string;
  bytes: Uint8Array;
}

/** A (channel, version) is written once; a second put of it carries the same value. */
export function insertChannelValue(threadId: string, checkpointNs: string, channel: string, version: string, value: StoredBytes): SqlStatement {
  return {
    sql: `INSERT OR IGNORE INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
          VALUES (?, ?, ?, ?, ?, ?)`,
    args: [threadId, checkpointNs, channel, version, value.type, value.bytes],
  };
}

export function upsertCheckpoint(
  address: CheckpointAddress,
  parentCheckpointId: string | undefined,
  type: string,
  checkpoint: Uint8Array,
  metadata: Uint8Array,
): SqlStatement {
  return {
    sql: `INSERT OR REPLACE INTO checkpoints (${CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    args: [address.threadId, address.checkpointNs, address.checkpointId, parentCheckpointId ?? null, type, checkpoint, metadata],
  };
}

export interface WriteRow {
  taskId: string;
  idx: number;
  channel: string;
  value: StoredBytes;
  taskPath: string;
}

/**
 * Regular writes keep the first value stored at their index (a retried task must
 * not overwrite what a resumed run already saw); special writes (errors,
 * interrupts, resumes) sit at fixed negative indexes and the latest one wins.
 */
export function insertWrite(address: CheckpointAddress, row: WriteRow, replace: boolean): SqlStatement {
  return {
    sql: `INSERT OR ${replace ? 'REPLACE' : 'IGNORE'} INTO checkpoint_writes
          (thread_id, checkpoint_ns, checkpoint_id, ${WRITE_COLUMNS})
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [address.threadId, address.checkpointNs, address.checkpointId, row.taskId, row.idx, row.channel, row.value.type, row.value.bytes, row.taskPath],
  };
}

export function deleteThreadStatements(threadId: string): SqlStatement[] {
  return ['checkpoints', 'checkpoint_blobs', 'checkpoint_writes'].map((table) => ({
    sql: `DELETE FROM ${table} WHERE thread_id = ?`,
    args: [threadId],
  }));
}
