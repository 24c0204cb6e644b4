import type { Client } from '@libsql/client';
import { clientRunner, type SqlRow, type SqlRunner, type SqlStatement } from '../../storage/index.js';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  WRITES_IDX_MAP,
  getCheckpointId,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import { configFor, optionalKey, requiredKey, type CheckpointAddress } from './config.js';
import { matchesFilter } from './filter.js';
import { all, andThen } from './maybe.js';
import { dumpTyped, plainJsonText } from './json-text.js';
import { dumpMessages } from './message-text.js';
import { InlineHeads, inlineValues, type InlineState } from './inline-values.js';
import { pruneThread, type HistoryPolicy, type PruneResult } from './prune.js';
import { readCheckpointRow, type CheckpointRow } from './rows.js';
import {
  deleteThreadStatements,
  insertCheckpoint,
  insertWrites,
  selectCheckpointPage,
  selectHead,
  selectTuple,
  selectWaitsAtInterrupt,
  type ChannelValueRow,
  type ListScope,
  type StoredValue,
  type WriteRow,
} from './sql.js';
import { assembleTuples, decodeRow, groupTupleParts, versionKeys, type Fetched, type StoredCheckpoint, type TupleContext } from './tuples.js';
import { ValueCache } from './value-cache.js';
import { nextChannelVersion } from './versions.js';

/** Rows fetched per round trip while listing; a caller that stops early never loads the rest. */
const LIST_PAGE_SIZE = 50;

/**
 * LangGraph checkpointer on libSQL. It needs only plain SQL (storage's `SqlRunner`,
 * or the generic `Client`), so the same saver runs against a local file (on Node
 * through a native connection with prepared statements), a remote libsql:// or
 * https:// database, and inside Cloudflare Workers. Tables come from Keel's
 * migrations (tables.ts).
 */
export class LibSQLSaver extends BaseCheckpointSaver {
  readonly #sql: SqlRunner;
  readonly #tuples: TupleContext;
  readonly #values = new ValueCache();
  readonly #heads = new InlineHeads();

  /** Given a Storage's `sql` on Node with a local file, statements are prepared once; given a client, it speaks through that. */
  constructor(database: Client | SqlRunner, serde?: SerializerProtocol) {
    super(serde);
    const sql = 'execute' in database ? clientRunner(database) : database;
    this.#sql = sql;
    this.#tuples = { sql, serde: this.serde, values: this.#values, firstVersion: () => this.getNextVersion(undefined) };
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = optionalKey(config, 'thread_id');
    if (threadId === undefined) return undefined;
    const checkpointNs = optionalKey(config, 'checkpoint_ns') ?? '';
    const checkpointId = getCheckpointId(config) || undefined;
    const found = this.#values.knows(threadId, checkpointNs)
      ? headTuplePart(await this.#sql.queryFirst(selectHead(threadId, checkpointNs, checkpointId)))
      : groupTupleParts(await this.#sql.query(selectTuple(threadId, checkpointNs, checkpointId)))[0];
    if (found === undefined) return undefined;
    // Without an await where nothing is pending (maybe.ts): a cached thread's head is parsed and assembled on the spot.
    const tuples = andThen(this.#decode(found.row, found.fetched), (decoded) => {
      this.#heads.remember(decoded.row.address, inlineState(decoded.checkpoint));
      return assembleTuples(this.#tuples, [decoded], true);
    });
    return (tuples instanceof Promise ? await tuples : tuples)[0];
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { filter, limit } = options;
    const scope: ListScope = {
      threadId: optionalKey(config, 'thread_id'),
      checkpointNs: optionalKey(config, 'checkpoint_ns'),
      checkpointId: getCheckpointId(config) || undefined,
      before: options.before === undefined ? undefined : optionalKey(options.before, 'checkpoint_id'),
    };
    let remaining = limit ?? Number.POSITIVE_INFINITY;
    let after: CheckpointAddress | undefined;
    while (remaining > 0) {
      // Without a filter every row counts, so never fetch more than the caller wants.
      const size = filter === undefined ? Math.min(remaining, LIST_PAGE_SIZE) : LIST_PAGE_SIZE;
      const page = groupTupleParts(await this.#sql.query(selectCheckpointPage(scope, after, size)), false);
      const decoded = await all(page.map(({ row, fetched }) => this.#decode(row, fetched)));
      const wanted = decoded.filter(({ metadata }) => matchesFilter(metadata, filter)).slice(0, remaining);
      for (const tuple of await assembleTuples(this.#tuples, wanted, false)) yield tuple;
      remaining -= wanted.length;
      const last = page.at(-1);
      if (last === undefined || page.length < size) return;
      after = last.row.address;
    }
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    const address: CheckpointAddress = {
      threadId: requiredKey(config, 'thread_id', 'put'),
      checkpointNs: optionalKey(config, 'checkpoint_ns') ?? '',
      checkpointId: checkpoint.id,
    };
    // No defensive copy: LangGraph puts a copy of its checkpoint already, and the serializer has read it before put returns.
    const { channel_values: values, ...rest } = checkpoint;
    const parent = optionalKey(config, 'checkpoint_id');
    const parentState =
      parent === undefined
        ? undefined
        : (this.#heads.of({ ...address, checkpointId: parent }) ?? (await this.#readInline({ ...address, checkpointId: parent })));
    const inline = inlineValues(values, checkpoint.channel_versions, newVersions, parentState);
    const stored: StoredCheckpoint = { ...rest, channel_values: inline };
    const dumped = this.#dumpNow(stored) ?? (await this.#dump(stored));
    const { type: metadataType, data: metadataData } = this.#dumpNow(metadata) ?? (await this.#dump(metadata));
    if (dumped.type !== metadataType) {
      throw new Error(`LibSQLSaver.put: serializer wrote the checkpoint as ${dumped.type} but its metadata as ${metadataType}.`);
    }
    // Only channels LangGraph reports as updated get a row; the others keep their earlier (channel, version) row.
    const updated = versionKeys(newVersions, inline);
    const changed: ChannelValueRow[] = [];
    for (const [channel, version] of Object.entries(updated)) {
      const value = values[channel];
      if (value !== undefined) changed.push({ channel, version, value: this.#dumpNow(value) ?? (await this.#dump(value)) });
    }
    const versions = JSON.stringify(versionKeys(checkpoint.channel_versions));
    await this.#sql.write([insertCheckpoint(address, parent, dumped, metadataData, versions, metadata.source, changed)]);
    this.#heads.remember(address, inlineState(stored));
    for (const [channel, version] of Object.entries(updated)) {
      const replaced = parentState?.versions[channel];
      if (replaced !== undefined && String(replaced) !== version) this.#values.supersede(address.threadId, address.checkpointNs, channel, String(replaced));
      const value = changed.find((row) => row.channel === channel)?.value ?? null;
      this.#values.add(address.threadId, address.checkpointNs, channel, version, value);
      if (value !== null) this.#values.revivedAs(value, values[channel]);
    }
    return configFor(address);
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    const address: CheckpointAddress = {
      threadId: requiredKey(config, 'thread_id', 'putWrites'),
      checkpointNs: optionalKey(config, 'checkpoint_ns') ?? '',
      checkpointId: requiredKey(config, 'checkpoint_id', 'putWrites'),
    };
    if (writes.length === 0) return;
    const rows: { special: boolean; row: WriteRow }[] = [];
    for (const [index, [channel, value]] of writes.entries()) {
      const special = WRITES_IDX_MAP[channel];
      const dumped = this.#dumpNow(value) ?? (await this.#dump(value));
      rows.push({ special: special !== undefined, row: { taskId, idx: special ?? index, channel, value: dumped, taskPath } });
    }
    const statements: SqlStatement[] = [];
    for (const special of [false, true]) {
      const kind = rows.filter((entry) => entry.special === special).map((entry) => entry.row);
      if (kind.length > 0) statements.push(insertWrites(address, kind, special));
    }
    await this.#sql.write(statements);
  }

  /**
   * Whether the thread's newest root checkpoint holds a pending interrupt: what
   * `graph.getState(...).tasks[].interrupts` would report, from one indexed read
   * instead of loading and reviving the whole state.
   */
  async waitsAtInterrupt(threadId: string): Promise<boolean> {
    const [row] = await this.#sql.query(selectWaitsAtInterrupt(threadId));
    return Number(row?.['waiting']) === 1;
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.#sql.write(deleteThreadStatements(threadId));
    this.#values.forgetThread(threadId);
    this.#heads.forgetThread(threadId);
  }

  /**
   * Keeps a thread's stored history within `policy` (see prune.ts). Not part of
   * LangGraph's saver interface: the caller decides when it runs.
   */
  async pruneHistory(threadId: string, policy: HistoryPolicy): Promise<PruneResult> {
    return pruneThread(this.#sql, this.serde, threadId, policy);
  }

  override getNextVersion(current: number | undefined): number {
    return nextChannelVersion(current);
  }

  /** A parent's inline state, from its row, when this process did not put or read it last: none if it does not exist. */
  async #readInline(address: CheckpointAddress): Promise<InlineState> {
    const head = await this.#sql.queryFirst(selectHead(address.threadId, address.checkpointNs, address.checkpointId));
    if (head === undefined) return { versions: {}, inline: {} };
    return inlineState((await decodeRow(this.serde, readCheckpointRow(head))).checkpoint);
  }

  #decode(row: CheckpointRow, fetched: Fetched | undefined) {
    return andThen(decodeRow(this.serde, row), (decoded) => ({ ...decoded, fetched }));
  }

  /** What `#dump` returns, when it can without awaiting (plain JSON). */
  #dumpNow(value: unknown): StoredValue | undefined {
    const text = plainJsonText(this.serde, value);
    return text === undefined ? undefined : { type: 'json', data: text };
  }

  async #dump(value: unknown): Promise<StoredValue> {
    const messages = await dumpMessages(this.serde, value);
    if (messages !== undefined) return { type: 'json', data: messages };
    const [type, data] = await dumpTyped(this.serde, value);
    return { type, data };
  }
}

const inlineState = ({ channel_versions, channel_values }: StoredCheckpoint): InlineState => ({ versions: channel_versions, inline: channel_values ?? {} });

/**
 * The head row of a thread whose values the saver has cached (sql.ts
 * `selectHead`): its values come from the cache, and its writes are read, with
 * whatever values the cache lacks, in one batch only when it has any.
 */
function headTuplePart(head: SqlRow | undefined): { row: CheckpointRow; fetched: Fetched | undefined } | undefined {
  if (head === undefined) return undefined;
  return { row: readCheckpointRow(head), fetched: Number(head.has_writes) === 1 ? undefined : { values: undefined, writes: [] } };
}
