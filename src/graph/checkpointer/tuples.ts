import type { SqlRow, SqlRunner } from '../../storage/index.js';
import {
  TASKS,
  compareWritesSortKeys,
  maxChannelVersion,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import { configFor } from './config.js';
import { loadStored } from './packed.js';
import { readChannelValueRow, readWriteRow, type CheckpointRow } from './rows.js';
import { selectChannelValues, selectPendingSends, selectWrites, type WriteRow } from './sql.js';

/** What a checkpoint row holds: everything but the channel values, which live in checkpoint_blobs. */
export type StoredCheckpoint = Omit<Checkpoint, 'channel_values'>;

export interface DecodedRow {
  row: CheckpointRow;
  checkpoint: StoredCheckpoint;
  metadata: CheckpointMetadata;
}

export interface TupleContext {
  sql: SqlRunner;
  serde: SerializerProtocol;
  /** The saver's first channel version, for the pending-sends channel of a pre-v4 checkpoint with no versions. */
  firstVersion(): number;
}

/** Deserializes the row itself; `list` filters on the metadata before paying for values and writes. */
export async function decodeRow(serde: SerializerProtocol, row: CheckpointRow): Promise<DecodedRow> {
  const [checkpoint, metadata] = await Promise.all([
    loadStored(serde, row.type, row.checkpoint) as Promise<StoredCheckpoint>,
    loadStored(serde, row.type, row.metadata) as Promise<CheckpointMetadata>,
  ]);
  return { row, checkpoint, metadata };
}

/**
 * Completes decoded rows into tuples: channel values at the recorded versions and
 * pending writes, plus the parent's queued sends for pre-v4 checkpoints. All
 * lookups for all rows go out as one batch, one round trip to a remote database.
 */
export async function assembleTuples(context: TupleContext, decoded: DecodedRow[]): Promise<CheckpointTuple[]> {
  if (decoded.length === 0) return [];
  const plans = decoded.map((entry) => ({ entry, sendsFrom: pendingSendsParent(entry) }));
  const statements = plans.flatMap(({ entry, sendsFrom }) => {
    const { threadId, checkpointNs } = entry.row.address;
    const lookups = [selectWrites(entry.row.address), selectChannelValues(threadId, checkpointNs, versionKeys(entry.checkpoint.channel_versions))];
    if (sendsFrom !== undefined) lookups.push(selectPendingSends({ threadId, checkpointNs, checkpointId: sendsFrom }));
    return lookups;
  });
  const results = (await context.sql.queryBatch(statements))[Symbol.iterator]();
  const next = (): SqlRow[] => {
    const result = results.next();
    if (result.done === true) throw new Error('LibSQLSaver: batch returned fewer results than statements.');
    return result.value;
  };

  const pending = plans.map(({ entry, sendsFrom }) => {
    const writes = next();
    const values = next();
    const sends = sendsFrom === undefined ? undefined : next();
    return buildTuple(context, entry, writes, values, sends);
  });
  return Promise.all(pending);
}

async function buildTuple(
  context: TupleContext,
  { row, checkpoint, metadata }: DecodedRow,
  writes: SqlRow[],
  values: SqlRow[],
  sends: SqlRow[] | undefined,
): Promise<CheckpointTuple> {
  const { serde } = context;
  const channelValues: Record<string, unknown> = Object.fromEntries(
    await Promise.all(
      values.map(readChannelValueRow).map(async ({ channel, value }) => {
        return [channel, await loadStored(serde, value.type, value.bytes)] as const;
      }),
    ),
  );
  const restored: Checkpoint = { ...checkpoint, channel_values: channelValues };
  if (sends !== undefined) {
    const queued = await Promise.all(ordered(sends).map((send) => serde.loadsTyped(send.value.type, send.value.bytes)));
    migratePendingSends(restored, queued, context.firstVersion());
  }

  const pendingWrites: CheckpointPendingWrite[] = await Promise.all(
    ordered(writes).map(async (write): Promise<CheckpointPendingWrite> => {
      return [write.taskId, write.channel, await serde.loadsTyped(write.value.type, write.value.bytes)];
    }),
  );
  const { parentCheckpointId } = row;
  return {
    config: configFor(row.address),
    checkpoint: restored,
    metadata,
    parentConfig: parentCheckpointId === undefined ? undefined : configFor({ ...row.address, checkpointId: parentCheckpointId }),
    pendingWrites,
  };
}

/**
 * Before checkpoint format v4, `Send`s were pending writes to TASKS on the parent
 * checkpoint; v4 keeps them as a channel. Old checkpoints are upgraded on read
 * exactly as LangGraph's own savers do.
 */
function pendingSendsParent({ row, checkpoint }: DecodedRow): string | undefined {
  return checkpoint.v < 4 ? row.parentCheckpointId : undefined;
}

function migratePendingSends(checkpoint: Checkpoint, sends: unknown[], firstVersion: number): void {
  const versions = Object.values(checkpoint.channel_versions);
  checkpoint.channel_values[TASKS] = sends;
  checkpoint.channel_versions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : firstVersion;
}

/** LangGraph replays a superstep's writes in (task_path, task_id, idx) order and requires savers to return them so. */
function ordered(rows: SqlRow[]): WriteRow[] {
  return rows
    .map(readWriteRow)
    .map((write) => ({ write, key: writesSortKey(write.taskPath, write.taskId, write.idx) }))
    .sort((a, b) => compareWritesSortKeys(a.key, b.key))
    .map(({ write }) => write);
}

/** Blob keys are text; numeric and string versions both key by their string form. */
export function versionKeys(versions: ChannelVersions): Record<string, string> {
  return Object.fromEntries(Object.entries(versions).map(([channel, version]) => [channel, String(version)]));
}
