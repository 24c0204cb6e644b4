import type { SqlRow as Row } from '../../storage/index.js';
import type { CheckpointAddress } from './config.js';
import type { StoredValue, StoredData, WriteRow } from './sql.js';

// libSQL hands back loosely typed rows; these readers turn them into the shapes
// the saver works with and fail loudly on a row this saver could not have written.

export interface CheckpointRow {
  address: CheckpointAddress;
  parentCheckpointId: string | undefined;
  type: string;
  checkpoint: StoredData;
  metadata: StoredData;
  /** The JSON copy of the channel versions; absent on rows written before the column existed. */
  channelVersions: string | undefined;
}

export function readCheckpointRow(row: Row): CheckpointRow {
  const parent = row['parent_checkpoint_id'];
  return {
    address: {
      threadId: text(row, 'thread_id'),
      checkpointNs: text(row, 'checkpoint_ns'),
      checkpointId: text(row, 'checkpoint_id'),
    },
    parentCheckpointId: parent === null || parent === undefined ? undefined : text(row, 'parent_checkpoint_id'),
    type: text(row, 'type'),
    checkpoint: data(row, 'checkpoint'),
    metadata: data(row, 'metadata'),
    channelVersions: typeof row['channel_versions'] === 'string' ? row['channel_versions'] : undefined,
  };
}

/** A row of `selectTuples`: a checkpoint, one of its channel values, or one of its pending writes. */
export type TuplePart =
  | { part: 'checkpoint'; row: CheckpointRow }
  | { part: 'value'; address: CheckpointAddress; channel: string; value: StoredValue }
  | { part: 'write'; address: CheckpointAddress; write: WriteRow };

export function readTuplePart(row: Row): TuplePart {
  const part = integer(row, 'part');
  if (part === 0) return { part: 'checkpoint', row: readCheckpointRow(row) };
  const address = { threadId: text(row, 'thread_id'), checkpointNs: text(row, 'checkpoint_ns'), checkpointId: text(row, 'checkpoint_id') };
  // Values and writes share the checkpoint's columns: their bytes arrive as `checkpoint`.
  const value = { type: text(row, 'type'), data: data(row, 'checkpoint') };
  if (part === 1) return { part: 'value', address, channel: text(row, 'channel'), value };
  return {
    part: 'write',
    address,
    write: { taskId: text(row, 'task_id'), idx: integer(row, 'idx'), channel: text(row, 'channel'), value, taskPath: text(row, 'task_path') },
  };
}

export function readWriteRow(row: Row): WriteRow {
  return {
    taskId: text(row, 'task_id'),
    idx: integer(row, 'idx'),
    channel: text(row, 'channel'),
    value: { type: text(row, 'type'), data: data(row, 'value') },
    taskPath: text(row, 'task_path'),
  };
}

export function readChannelValueRow(row: Row): { channel: string; version: string; value: StoredValue } {
  return { channel: text(row, 'channel'), version: text(row, 'version'), value: { type: text(row, 'type'), data: data(row, 'blob') } };
}

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw unexpected(column, value);
  return value;
}

function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw unexpected(column, value);
}

function bytes(row: Row, column: string): Uint8Array {
  const value = row[column];
  // The client hands blobs over as ArrayBuffer, the native driver as Buffer.
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value instanceof Uint8Array) return value;
  throw unexpected(column, value);
}

/** Serialized data as stored (sql.ts `StoredData`): JSON text, or bytes. */
function data(row: Row, column: string): StoredData {
  const value = row[column];
  return typeof value === 'string' ? value : bytes(row, column);
}

function unexpected(column: string, value: unknown): Error {
  const got = value === null ? 'null' : typeof value;
  return new Error(`LibSQLSaver: column ${column} holds ${got}, which this saver never writes.`);
}
