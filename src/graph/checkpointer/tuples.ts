import type { SqlRow, SqlRunner, SqlStatement } from '../../storage/index.js';
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
import { configFor, type CheckpointAddress } from './config.js';
import { all, andThen, type MaybePromise } from './maybe.js';
import { loadStored, loadTyped } from './packed.js';
import { readChannelValueRow, readTuplePart, readWriteRow, type CheckpointRow } from './rows.js';
import { selectChannelValues, selectPendingSends, selectWrites, type StoredValue, type WriteRow } from './sql.js';
import type { ValueCache } from './value-cache.js';

/**
 * What a checkpoint row holds: everything but the channel values, which are rows
 * of their own (tables.ts), except the small ones it carries inline
 * (inline-values.ts); rows written before those have none.
 */
export type StoredCheckpoint = Omit<Checkpoint, 'channel_values'> & Partial<Pick<Checkpoint, 'channel_values'>>;

export interface DecodedRow {
  row: CheckpointRow;
  checkpoint: StoredCheckpoint;
  metadata: CheckpointMetadata;
}

export interface TupleContext {
  sql: SqlRunner;
  serde: SerializerProtocol;
  values: ValueCache;
  /** The saver's first channel version, for the pending-sends channel of a pre-v4 checkpoint with no versions. */
  firstVersion(): number;
}

/** Deserializes the row itself; `list` filters on the metadata before paying for values and writes. */
export function decodeRow(serde: SerializerProtocol, row: CheckpointRow): MaybePromise<DecodedRow> {
  return andThen(all([loadStored(serde, row.type, row.checkpoint), loadStored(serde, row.type, row.metadata)]), ([checkpoint, metadata]) => ({
    row,
    checkpoint: checkpoint as StoredCheckpoint,
    metadata: metadata as CheckpointMetadata,
  }));
}

/** What the one-statement read (`selectTuples`) brought along with a checkpoint row. */
export interface Fetched {
  /** Absent when the read left them out or the row predates `channel_versions`: they come from the cache or a lookup by version. */
  values: ChannelValue[] | undefined;
  writes: WriteRow[];
}

type ChannelValue = { channel: string; value: StoredValue };

/** Splits `selectTuples` rows into checkpoints (in the order returned) with their values (if it read them) and writes. */
export function groupTupleParts(rows: SqlRow[], withValues = true): { row: CheckpointRow; fetched: Fetched }[] {
  const parts = rows.map(readTuplePart);
  const byAddress = new Map<string, { row: CheckpointRow; fetched: Fetched }>();
  for (const part of parts) {
    if (part.part !== 'checkpoint') continue;
    const values = withValues && part.row.channelVersions !== undefined ? [] : undefined;
    byAddress.set(addressKey(part.row.address), { row: part.row, fetched: { values, writes: [] } });
  }
  for (const part of parts) {
    if (part.part === 'checkpoint') continue;
    const { fetched } = byAddress.get(addressKey(part.address))!;
    if (part.part === 'value') fetched.values?.push(part);
    else fetched.writes.push(part.write);
  }
  return [...byAddress.values()];
}

const addressKey = ({ threadId, checkpointNs, checkpointId }: CheckpointAddress) => JSON.stringify([threadId, checkpointNs, checkpointId]);

/**
 * Completes decoded rows into tuples: channel values at the recorded versions and
 * pending writes, plus the parent's queued sends for pre-v4 checkpoints. Values
 * the read did not bring along come from the cache; what is still missing goes
 * out as one batch, one round trip to a remote database, each (channel, version)
 * asked once however many of the checkpoints share it. With `remember` (a
 * thread's head, read again and again) every value read is cached with what it
 * revives to; history pages (`list`) read through without filling the cache.
 */
export function assembleTuples(context: TupleContext, decoded: (DecodedRow & { fetched?: Fetched })[], remember: boolean): MaybePromise<CheckpointTuple[]> {
  if (decoded.length === 0) return [];
  const statements: SqlStatement[] = [];
  const lookup = (statement: SqlStatement) => statements.push(statement) - 1;
  const lacking = new Map<string, { address: CheckpointAddress; pairs: Map<string, [string, string]> }>();
  const plans = decoded.map((entry) => {
    const { threadId, checkpointNs } = entry.row.address;
    const sendsFrom = pendingSendsParent(entry);
    // The versions of the channels whose values are rows of their own: all but those the checkpoint carries inline.
    const versions = versionKeys(entry.checkpoint.channel_versions, entry.checkpoint.channel_values);
    const read = entry.fetched?.values;
    const cached: ChannelValue[] = [];
    const missing: Record<string, string> = {};
    if (read === undefined) {
      for (const [channel, version] of Object.entries(versions)) {
        const value = context.values.get(threadId, checkpointNs, channel, version);
        if (value === undefined) missing[channel] = version;
        else if (value !== null) cached.push({ channel, value });
      }
      const namespace = threadKey(entry.row.address);
      const group = lacking.get(namespace) ?? { address: entry.row.address, pairs: new Map() };
      for (const [channel, version] of Object.entries(missing)) group.pairs.set(valueKey(channel, version), [channel, version]);
      if (group.pairs.size > 0) lacking.set(namespace, group);
    }
    return {
      entry,
      writes: entry.fetched?.writes ?? lookup(selectWrites(entry.row.address)),
      values: read ?? cached,
      // What this read asks the database for: every recorded version when the statement brought values along, else what the cache lacked.
      asked: read === undefined ? missing : versions,
      sends: sendsFrom === undefined ? undefined : lookup(selectPendingSends({ threadId, checkpointNs, checkpointId: sendsFrom })),
    };
  });
  const valueLookups = [...lacking.entries()].map(([namespace, { address, pairs }]) => ({
    namespace,
    index: lookup(selectChannelValues(address.threadId, address.checkpointNs, [...pairs.values()])),
  }));
  const finish = (results: SqlRow[][]) => completeTuples(context, plans, valueLookups, results, remember);
  return statements.length === 0 ? finish([]) : context.sql.queryBatch(statements).then(finish);
}

interface TuplePlan {
  entry: DecodedRow & { fetched?: Fetched | undefined };
  /** The writes the read brought, or the index of their lookup in the batch. */
  writes: WriteRow[] | number;
  values: ChannelValue[];
  asked: Record<string, string>;
  sends: number | undefined;
}

/** The second half of `assembleTuples`, once the batch (if any) has answered. */
function completeTuples(
  context: TupleContext,
  plans: TuplePlan[],
  valueLookups: { namespace: string; index: number }[],
  results: SqlRow[][],
  remember: boolean,
): MaybePromise<CheckpointTuple[]> {
  const looked = (index: number): SqlRow[] => {
    const rows = results[index];
    if (rows === undefined) throw new Error('LibSQLSaver: batch returned fewer results than statements.');
    return rows;
  };
  const found = new Map<string, StoredValue>();
  for (const { namespace, index } of valueLookups) {
    for (const { channel, version, value } of looked(index).map(readChannelValueRow)) found.set(`${namespace}\u0000${valueKey(channel, version)}`, value);
  }
  return all(
    plans.map(({ entry, asked, writes, values, sends }) => {
      const fetched: ChannelValue[] = [];
      if (entry.fetched?.values === undefined) {
        for (const [channel, version] of Object.entries(asked)) {
          const value = found.get(`${threadKey(entry.row.address)}\u0000${valueKey(channel, version)}`);
          if (value !== undefined) fetched.push({ channel, value });
        }
      }
      if (remember) rememberRead(context.values, entry.row.address, asked, entry.fetched?.values ?? fetched);
      return buildTuple(
        context,
        entry,
        typeof writes === 'number' ? looked(writes).map(readWriteRow) : writes,
        [...values, ...fetched],
        sends === undefined ? undefined : looked(sends).map(readWriteRow),
        remember,
      );
    }),
  );
}

const threadKey = ({ threadId, checkpointNs }: CheckpointAddress) => JSON.stringify([threadId, checkpointNs]);
const valueKey = (channel: string, version: string) => JSON.stringify([channel, version]);

/**
 * Caches what a read found, and `null` for each version it asked for and found
 * no row of (a channel a put stored nothing for), so the next read of the
 * thread's head does not ask again. A put writes its values and its checkpoint
 * row in one statement, so a version a visible checkpoint records has no value
 * still to come.
 */
function rememberRead(cache: ValueCache, { threadId, checkpointNs }: CheckpointAddress, asked: Record<string, string>, found: ChannelValue[]): void {
  const byChannel = new Map(found.map(({ channel, value }) => [channel, value]));
  for (const [channel, version] of Object.entries(asked)) cache.add(threadId, checkpointNs, channel, version, byChannel.get(channel) ?? null);
}

function buildTuple(
  context: TupleContext,
  { row, checkpoint, metadata }: DecodedRow,
  writes: WriteRow[],
  values: ChannelValue[],
  sends: WriteRow[] | undefined,
  remember: boolean,
): MaybePromise<CheckpointTuple> {
  const { serde } = context;
  const loaded = all(
    values.map(({ value }) => {
      const load = () => loadStored(serde, value.type, value.data);
      return remember ? context.values.revive(value, load) : load();
    }),
  );
  const pending = ordered(writes);
  const written = all(pending.map((write) => loadTyped(serde, write.value.type, write.value.data)));
  const queued = sends === undefined ? undefined : all(ordered(sends).map((send) => loadTyped(serde, send.value.type, send.value.data)));
  return andThen(loaded, (channelValues) =>
    andThen(written, (writeValues) =>
      andThen(queued, (queuedSends) => {
        const restored: Checkpoint = {
          ...checkpoint,
          channel_values: { ...checkpoint.channel_values, ...Object.fromEntries(values.map(({ channel }, index) => [channel, channelValues[index]])) },
        };
        if (queuedSends !== undefined) migratePendingSends(restored, queuedSends, context.firstVersion());
        const { parentCheckpointId } = row;
        return {
          config: configFor(row.address),
          checkpoint: restored,
          metadata,
          parentConfig: parentCheckpointId === undefined ? undefined : configFor({ ...row.address, checkpointId: parentCheckpointId }),
          pendingWrites: pending.map((write, index): CheckpointPendingWrite => [write.taskId, write.channel, writeValues[index]]),
        };
      }),
    ),
  );
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
function ordered(rows: WriteRow[]): WriteRow[] {
  return rows
    .map((write) => ({ write, key: writesSortKey(write.taskPath, write.taskId, write.idx) }))
    .sort((a, b) => compareWritesSortKeys(a.key, b.key))
    .map(({ write }) => write);
}

/** Blob keys are text; numeric and string versions both key by their string form. Channels in `except` are left out. */
export function versionKeys(versions: ChannelVersions, except: Record<string, unknown> = {}): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const channel in versions) if (!(channel in except)) keys[channel] = String(versions[channel]);
  return keys;
}
