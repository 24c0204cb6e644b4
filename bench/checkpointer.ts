import { join } from 'node:path';
import { Annotation, END, MemorySaver, START, StateGraph } from '@langchain/langgraph';
import { copyCheckpoint, type BaseCheckpointSaver, type ChannelVersions, type Checkpoint, type CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import type { RunnableConfig } from '@langchain/core/runnables';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { LibSQLSaver } from '../src/graph/index.js';
import { openStorage } from '../src/storage/index.js';
import { nodePlatform } from '../src/platform/node.js';
import { formatMs, perSecond, summarize } from './stats.js';
import { check, databaseUrl, inTurns, threadConfig, timed, times, withTempDir, type BenchGroup, type Row } from './support.js';

const RECORDED_INVOKES = 10;
const REPLAYED_THREADS = 120;
const LIST_LIMIT = 10;
const GRAPH_INVOKES = 10;

/** A small graph shaped like a chat turn: an append-only message list and a counter, two nodes per invoke. */
const SmallState = Annotation.Root({
  messages: Annotation<string[]>({ reducer: (prev, next) => [...prev, ...next], default: () => [] }),
  turns: Annotation<number>({ reducer: (_prev, next) => next, default: () => 0 }),
});

function smallGraph(checkpointer: BaseCheckpointSaver) {
  return new StateGraph(SmallState)
    .addNode('think', (state) => ({ messages: [`thinking about turn ${state.turns}: ${'context '.repeat(8)}`] }))
    .addNode('answer', (state) => ({ messages: [`answer ${state.turns}: ${'reply '.repeat(12)}`], turns: state.turns + 1 }))
    .addEdge(START, 'think')
    .addEdge('think', 'answer')
    .addEdge('answer', END)
    .compile({ checkpointer });
}

const smallInput = (turn: number) => ({ messages: [`operator message ${turn}: ${'words '.repeat(10)}`] });

interface RecordedPut {
  checkpointNs: string;
  parentId: string | undefined;
  checkpoint: Checkpoint;
  metadata: CheckpointMetadata;
  newVersions: ChannelVersions;
}

/** Captures the exact puts LangGraph makes, so every saver stores the same checkpoints with the same changed channels. */
class RecordingSaver extends MemorySaver {
  readonly puts: RecordedPut[] = [];

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions?: ChannelVersions) {
    if (newVersions === undefined) throw new Error('LangGraph called put without newVersions');
    const configurable = config.configurable ?? {};
    this.puts.push({
      checkpointNs: String(configurable.checkpoint_ns ?? ''),
      parentId: typeof configurable.checkpoint_id === 'string' ? configurable.checkpoint_id : undefined,
      checkpoint: copyCheckpoint(checkpoint),
      metadata: structuredClone(metadata),
      newVersions: { ...newVersions },
    });
    return super.put(config, checkpoint, metadata);
  }
}

async function recordWorkload(): Promise<RecordedPut[]> {
  const recorder = new RecordingSaver();
  const graph = smallGraph(recorder);
  for (let turn = 0; turn < RECORDED_INVOKES; turn++) await graph.invoke(smallInput(turn), threadConfig('recorded'));
  return recorder.puts;
}

interface Contender {
  name: string;
  open(dir: string): Promise<{ saver: BaseCheckpointSaver; close(): void }>;
}

const contenders: Contender[] = [
  {
    name: 'LibSQLSaver',
    async open(dir) {
      const storage = await openStorage({ url: databaseUrl(dir) }, nodePlatform);
      return { saver: new LibSQLSaver(storage.sql), close: () => storage.close() };
    },
  },
  {
    name: 'SqliteSaver',
    async open(dir) {
      const saver = SqliteSaver.fromConnString(join(dir, 'sqlite.db'));
      // Keel runs libSQL in WAL with synchronous=NORMAL; SqliteSaver turns on WAL itself, this matches the durability.
      saver.db.pragma('synchronous = NORMAL');
      return { saver, close: () => saver.db.close() };
    },
  },
  {
    name: 'MemorySaver',
    async open() {
      return { saver: new MemorySaver(), close: () => undefined };
    },
  },
];

type Operation = 'put' | 'getTuple' | 'list' | 'graph invoke';

interface Measured {
  latencies: number[];
  wall: number;
}

/**
 * Each operation's work, cut into rounds: contenders take turns round by round
 * (see `measureSideBySide`); getTuple and list read every thread each round, and
 * each round of graph invokes is a thread of its own. Enough rounds that a p99
 * is a percentile (the 4th slowest of 400 graph invokes, the 48th of 4,800
 * reads), not the slowest sample and whatever pause of the machine it met.
 */
const ROUNDS = 40;

async function replay(saver: BaseCheckpointSaver, workload: RecordedPut[], threadId: string, latencies: number[]) {
  for (const put of workload) {
    const config = { configurable: { thread_id: threadId, checkpoint_ns: put.checkpointNs, checkpoint_id: put.parentId } };
    latencies.push(await timed(() => saver.put(config, put.checkpoint, put.metadata, put.newVersions)));
  }
}

/** One round of each operation on one saver; round `round` of every operation covers the same threads for every contender. */
function operations(saver: BaseCheckpointSaver, workload: RecordedPut[]): Record<Operation, (round: number, latencies: number[]) => Promise<void>> {
  const threads = Array.from({ length: REPLAYED_THREADS }, (_, i) => `replayed:${i}`);
  const slice = (round: number) => threads.slice((round * threads.length) / ROUNDS, ((round + 1) * threads.length) / ROUNDS);
  const latestId = workload.at(-1)!.checkpoint.id;
  const graph = smallGraph(saver);
  return {
    async put(round, latencies) {
      for (const threadId of slice(round)) await replay(saver, workload, threadId, latencies);
    },
    async getTuple(_round, latencies) {
      for (const threadId of threads) {
        latencies.push(
          await timed(async () => {
            const tuple = await saver.getTuple(threadConfig(threadId));
            check(tuple?.checkpoint.id === latestId, 'getTuple returned the latest checkpoint');
          }),
        );
      }
    },
    async list(_round, latencies) {
      for (const threadId of threads) {
        latencies.push(
          await timed(async () => {
            let seen = 0;
            for await (const _tuple of saver.list(threadConfig(threadId), { limit: LIST_LIMIT })) seen++;
            check(seen === LIST_LIMIT, `list returned ${LIST_LIMIT} checkpoints`);
          }),
        );
      }
    },
    async 'graph invoke'(round, latencies) {
      for (let turn = 0; turn < GRAPH_INVOKES; turn++) {
        latencies.push(await timed(() => graph.invoke(smallInput(turn), threadConfig(`graph:${round}`))));
      }
    },
  };
}

/** Every contender does the same work in rounds taken in turn (`inTurns`); run one after another, the ratios moved by a fifth between runs. */
async function measureSideBySide(savers: Map<string, BaseCheckpointSaver>, workload: RecordedPut[]): Promise<Map<string, Record<Operation, Measured>>> {
  const work = new Map([...savers].map(([name, saver]) => [name, operations(saver, workload)]));
  const results = new Map([...savers.keys()].map((name) => [name, {} as Record<Operation, Measured>]));
  // Untimed: JIT, prepared statements and table creation (SqliteSaver sets up lazily) are paid here.
  for (const saver of savers.values()) {
    await replay(saver, workload, 'warm-up', []);
    await saver.getTuple(threadConfig('warm-up'));
  }
  for (const operation of Object.keys(operationNotes) as Operation[]) {
    for (const name of savers.keys()) results.get(name)![operation] = { latencies: [], wall: 0 };
    await inTurns(ROUNDS, [...work], async ([name, ops], round) => {
      const measured = results.get(name)![operation];
      measured.wall += await timed(() => ops[operation](round, measured.latencies));
    });
  }
  return results;
}

const operationNotes: Record<Operation, string> = {
  put: 'checkpoints recorded from the small graph, replayed',
  getTuple: 'latest checkpoint of a thread',
  list: `newest ${LIST_LIMIT} of a thread's history, fully read`,
  'graph invoke': 'small graph, 2 nodes: put + putWrites + getTuple',
};

/**
 * LibSQLSaver against LangGraph's own savers on identical work: SqliteSaver
 * (better-sqlite3, the closest file-backed anchor) and MemorySaver (the floor).
 */
export const checkpointer: BenchGroup = {
  name: 'checkpointer',
  async run(progress) {
    const workload = await recordWorkload();
    progress(
      `${contenders.map((c) => c.name).join(', ')} in turns: ${REPLAYED_THREADS} threads × ${workload.length} puts, getTuple, list, ${ROUNDS * GRAPH_INVOKES} graph invokes`,
    );
    const results = await withTempDir('checkpointer', async (dir) => {
      const opened = await Promise.all(contenders.map(async (contender) => ({ name: contender.name, ...(await contender.open(dir)) })));
      try {
        return await measureSideBySide(new Map(opened.map(({ name, saver }) => [name, saver])), workload);
      } finally {
        for (const { close } of opened) close();
      }
    });

    // SqliteSaver is the baseline LibSQLSaver is held to (target ≤ 1.0×, median and p99); MemorySaver shows the floor.
    const operations = Object.keys(operationNotes) as Operation[];
    return operations.flatMap((operation) => {
      const sqlite = summarize(results.get('SqliteSaver')![operation].latencies);
      return ['LibSQLSaver', 'MemorySaver'].map((name): Row => {
        const { latencies, wall } = results.get(name)![operation];
        const latency = summarize(latencies);
        return {
          group: 'Checkpointer',
          benchmark: `${operation} · ${name}`,
          latency,
          throughput: { value: perSecond(latencies.length, wall), unit: 'ops/s' },
          baseline: `SqliteSaver ${formatMs(sqlite.median)}, p99 ${formatMs(sqlite.p99)}`,
          ratio: `${times(latency.median, sqlite.median)}, p99 ${times(latency.p99, sqlite.p99)}${name === 'LibSQLSaver' ? ' (target ≤ 1.0×)' : ''}`,
          notes: name === 'LibSQLSaver' ? operationNotes[operation] : 'the floor: no storage at all',
        };
      });
    });
  },
};
