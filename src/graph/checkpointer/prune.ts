import type { SqlRow, SqlRunner, SqlStatement } from '../../storage/index.js';
import type { CheckpointMetadata, SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { readCheckpointRow, readChannelValueRow, type CheckpointRow } from './rows.js';
import { decodeRow, versionKeys } from './tuples.js';
import { PACK_MIN_BYTES, isPacked, pack, packedType } from './packed.js';

/** How much of a thread's history to keep; everything else is deleted by `LibSQLSaver.pruneHistory`. */
export interface HistoryPolicy {
  /**
   * The channel a new turn writes first (Keel's `inbound`): consecutive checkpoints
   * carrying the same version of it belong to one turn.
   */
  turnChannel: string;
  /** Finished turns kept at all, newest first; each older turn is deleted whole. */
  keepTurns: number;
  /** Of those, the newest turns kept step by step; older ones keep only their last checkpoint. */
  detailedTurns: number;
}

export interface PruneResult {
  /** Checkpoints deleted, with their pending writes. */
  checkpoints: number;
  /** Channel values deleted: no remaining checkpoint referred to them. */
  blobs: number;
  /** Checkpoints and channel values of older turns deflated in place. */
  packed: number;
}

interface Entry {
  row: CheckpointRow;
  id: string;
  parent: string | undefined;
  source: CheckpointMetadata['source'];
  versions: Record<string, string>;
}

/**
 * Deletes the checkpoints a policy does not keep, their pending writes, and every
 * channel value no remaining checkpoint refers to. The live turn (the newest one)
 * is never touched, nor any checkpoint newer than the ones read here, so a put
 * racing with a prune only ever refers to values that stay. A kept checkpoint
 * whose parent went is re-parented to the kept checkpoint before it, so
 * `/history` still walks an unbroken chain. Only the root namespace is pruned.
 */
export async function pruneThread(sql: SqlRunner, serde: SerializerProtocol, threadId: string, policy: HistoryPolicy): Promise<PruneResult> {
  const rows = await sql.query({
    sql: `SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata, channel_versions, source
          FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '' ORDER BY checkpoint_id`,
    args: [threadId],
  });
  const entries = await Promise.all(rows.map((raw) => readEntry(serde, raw)));
  const turns = groupTurns(entries, policy.turnChannel);
  const finished = turns.slice(0, -1);
  const hot = new Set<Entry>(turns.at(-1) ?? []);
  const kept = new Set<Entry>(hot);
  finished.forEach((turn, index) => {
    const age = finished.length - index; // 1 = the turn just before the live one
    if (age > policy.keepTurns) return;
    if (age <= policy.detailedTurns) {
      for (const entry of turn) {
        hot.add(entry);
        kept.add(entry);
      }
    } else kept.add(turn.at(-1)!);
  });
  const removed = entries.filter((entry) => !kept.has(entry));
  const packed = await packCold(sql, threadId, entries, kept, hot);
  if (removed.length === 0) return { checkpoints: 0, blobs: 0, packed };

  const referenced = new Set(entries.filter((e) => kept.has(e)).flatMap((e) => blobKeys(e.versions)));
  const orphans = [...new Set(removed.flatMap((e) => blobKeys(e.versions)))].filter((key) => !referenced.has(key));
  const keptIds = new Set([...kept].map((e) => e.id));
  const reparented: SqlStatement[] = [];
  let previous: Entry | undefined;
  for (const entry of entries) {
    if (!kept.has(entry)) continue;
    if (entry.parent !== undefined && !keptIds.has(entry.parent)) {
      reparented.push({
        sql: `UPDATE checkpoint_rows SET parent_checkpoint_id = ? WHERE thread_id = ? AND checkpoint_ns = '' AND channel = '' AND version = ?`,
        args: [previous?.id ?? null, threadId, entry.id],
      });
    }
    previous = entry;
  }
  const ids = JSON.stringify(removed.map((e) => e.id));
  await sql.write([
    {
      sql: `DELETE FROM checkpoint_rows WHERE thread_id = ? AND checkpoint_ns = '' AND channel = '' AND version IN (SELECT value FROM json_each(?))`,
      args: [threadId, ids],
    },
    {
      sql: `DELETE FROM checkpoint_writes WHERE thread_id = ? AND checkpoint_ns = '' AND checkpoint_id IN (SELECT value FROM json_each(?))`,
      args: [threadId, ids],
    },
    {
      sql: `DELETE FROM checkpoint_rows WHERE thread_id = ? AND checkpoint_ns = '' AND channel <> ''
            AND (channel, version) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))`,
      args: [threadId, blobKeyList(orphans)],
    },
    ...reparented,
  ]);
  return { checkpoints: removed.length, blobs: orphans.length, packed };
}

const sources = new Set<string>(['input', 'loop', 'update', 'fork'] satisfies CheckpointMetadata['source'][]);
const isSource = (value: unknown): value is CheckpointMetadata['source'] => typeof value === 'string' && sources.has(value);

/**
 * What pruning needs of a checkpoint — its versions and source — from the columns
 * that repeat them, so a prune reads hundreds of rows without deserializing (or
 * inflating) any; a row written before those columns existed is decoded.
 */
async function readEntry(serde: SerializerProtocol, raw: SqlRow): Promise<Entry> {
  const row = readCheckpointRow(raw);
  const base = { row, id: row.address.checkpointId, parent: row.parentCheckpointId };
  const source = raw['source'];
  if (row.channelVersions !== undefined && isSource(source)) {
    return { ...base, source, versions: JSON.parse(row.channelVersions) as Record<string, string> };
  }
  const { checkpoint, metadata } = await decodeRow(serde, row);
  return { ...base, source: metadata.source, versions: versionKeys(checkpoint.channel_versions) };
}

/**
 * Splits checkpoints (oldest first) into turns: a run of checkpoints with one
 * version of the turn channel. An input checkpoint still carries the previous
 * turn's version but starts the next turn, so it goes with what follows it; an
 * update (a rewind) carries an old turn's version and stands as its own turn.
 */
function groupTurns(entries: Entry[], turnChannel: string): Entry[][] {
  const turns: Entry[][] = [];
  let current: Entry[] = [];
  let currentKey: string | undefined;
  let startsTurn = true;
  for (const entry of entries) {
    const key = entry.versions[turnChannel];
    if (entry.source === 'input') {
      if (current.length > 0) turns.push(current);
      current = [entry];
      startsTurn = true;
      continue;
    }
    if (!startsTurn && key !== currentKey && current.length > 0) {
      turns.push(current);
      current = [];
    }
    current.push(entry);
    currentKey = key;
    startsTurn = false;
  }
  if (current.length > 0) turns.push(current);
  return turns;
}

/**
 * Deflates what only older turns' checkpoints refer to: the live and detailed
 * turns, which a turn or a /rewind to a mid-turn step reads, stay as written.
 */
async function packCold(sql: SqlRunner, threadId: string, entries: Entry[], kept: Set<Entry>, hot: Set<Entry>): Promise<number> {
  const cold = entries.filter((entry) => kept.has(entry) && !hot.has(entry));
  const warm = new Set([...hot].flatMap((entry) => blobKeys(entry.versions)));
  const candidates = [...new Set(cold.flatMap((entry) => blobKeys(entry.versions)))].filter((key) => !warm.has(key));
  const blobs =
    candidates.length === 0
      ? []
      : await sql.query({
          sql: `SELECT channel, type, blob, version FROM checkpoint_blobs WHERE thread_id = ? AND checkpoint_ns = ''
                AND (channel, version) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))
                AND type NOT LIKE ? AND length(blob) >= ?`,
          args: [threadId, blobKeyList(candidates), packedType('%'), PACK_MIN_BYTES],
        });
  const updates: SqlStatement[] = [];
  for (const raw of blobs) {
    const { channel, value } = readChannelValueRow(raw);
    updates.push({
      sql: `UPDATE checkpoint_rows SET type = ?, blob = ? WHERE thread_id = ? AND checkpoint_ns = '' AND channel = ? AND version = ? AND type = ?`,
      args: [packedType(value.type), pack(value.data), threadId, channel, String(raw.version), value.type],
    });
  }
  for (const { row } of cold) {
    if (isPacked(row.type)) continue;
    updates.push({
      sql: `UPDATE checkpoint_rows SET type = ?, blob = ?, metadata = ? WHERE thread_id = ? AND checkpoint_ns = '' AND channel = '' AND version = ? AND type = ?`,
      args: [packedType(row.type), pack(row.checkpoint), pack(row.metadata), threadId, row.address.checkpointId, row.type],
    });
  }
  if (updates.length > 0) await sql.write(updates);
  return updates.length;
}

/** A (channel, version) pair as one comparable string, and a list of them as the JSON the statements unpack. */
const blobKeys = (versions: Record<string, string>) => Object.entries(versions).map((pair) => JSON.stringify(pair));
const blobKeyList = (keys: string[]) => `[${keys.join(',')}]`;
