import { Command, END, MemorySaver, REMOVE_ALL_MESSAGES, START, StateGraph } from '@langchain/langgraph';
import { AIMessage, HumanMessage, RemoveMessage, ToolMessage } from '@langchain/core/messages';
import type { Keel } from '../src/app.js';
import { agentNames } from '../src/agents/index.js';
import { ConversationState, type State } from '../src/graph/state.js';
import { formatMs, perSecond, summarize } from './stats.js';
import { check, countRows, inTurns, textEvent, threadConfig, timed, times, turnInput, withKeel, type BenchGroup, type Row } from './support.js';

const WARMUP_TURNS = 10;
const ROUNDS = 6;
const ROUND_TURNS = 20;
const THREADS = 50;
const TURNS_PER_THREAD = 4;

/** Even turns write through the kernel (records.add_note, no approval), odd turns only read, so both paths are timed. */
const message = (turn: number) => (turn % 2 === 0 ? `remember that client ${turn} prefers email` : "what's overdue?");
const writes = (turns: number) => Math.ceil(turns / 2);

/**
 * Keel's graph with nothing in it: the same state, nodes and edges as build.ts,
 * the path an offline-model turn takes (intake → coordinator → agent → tools →
 * agent → settle), each node a one-line update, on MemorySaver, and messages
 * cut to the last 10 past 40 as Keel's compaction does with its defaults. What
 * a turn costs above this is Keel's own work.
 */
function bareGraph() {
  const agent = (state: State) =>
    state.scratch.at(-1) instanceof ToolMessage
      ? new Command({ update: { messages: [new AIMessage('done')], replies: [{ kind: 'text', text: 'done' }] }, goto: 'settle' })
      : new Command({ update: { scratch: [new AIMessage({ content: '', tool_calls: [{ id: 'call', name: 'tool', args: {} }] })] }, goto: 'tools' });
  let graph = new StateGraph(ConversationState)
    .addNode(
      'intake',
      (state: State) =>
        new Command({
          update: { messages: [new HumanMessage(state.inbound?.payload.kind === 'text' ? state.inbound.payload.text : '')] },
          goto: 'coordinator',
        }),
      { ends: ['coordinator', 'settle', ...agentNames] },
    )
    .addNode('coordinator', () => new Command({ update: { route: { agent: 'finance', request: 'bench' } }, goto: 'finance' }), {
      ends: [...agentNames, 'settle'],
    });
  for (const name of agentNames) graph = graph.addNode(name, agent, { ends: ['tools', 'settle'] }) as typeof graph;
  return graph
    .addNode('tools', () => ({ scratch: [new ToolMessage({ tool_call_id: 'call', content: 'ok' })] }))
    .addNode('settle', () => ({}))
    .addNode('compact', (state: State) => ({ messages: [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), ...state.messages.slice(-10)] }))
    .addNode('wait', () => new Command({ goto: 'intake' }), { ends: ['intake'] })
    .addEdge(START, 'intake')
    .addConditionalEdges('tools', (state: State) => state.route!.agent, [...agentNames])
    .addConditionalEdges('settle', (state: State) => (state.messages.length > 40 ? 'compact' : END), ['compact', 'wait', END])
    .addConditionalEdges('compact', () => END, ['wait', END])
    .compile({ checkpointer: new MemorySaver() });
}

/** CPU milliseconds, user and system, this process spent on `work`. */
async function cpuOf(work: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

interface Side {
  latencies: number[];
  /** CPU milliseconds per turn: on a machine other work shares, wall-clock latencies stretch with the load while CPU time mostly does not. */
  cpu: number;
}

/**
 * Keel's turns and the bare graph's, in alternating rounds of ROUND_TURNS each:
 * a machine whose speed drifts during the run (a shared VM does) slows both
 * sides alike, so their ratio holds still where back-to-back runs would not.
 */
async function sideBySide(keel: Keel): Promise<{ keel: Side; bare: Side }> {
  const graph = bareGraph();
  const bareTurn = (turn: number) => graph.invoke(turnInput(textEvent(message(turn))), threadConfig('bare'));
  const keelTurn = async (turn: number) => {
    const result = await keel.conversation.handle(textEvent(message(turn)));
    check(result.status === 'handled', `turn ${turn} was ${result.status}`);
  };
  for (let turn = 0; turn < WARMUP_TURNS; turn++) {
    await keelTurn(turn);
    await bareTurn(turn);
  }
  const sides = { keel: { latencies: [] as number[], cpu: 0 }, bare: { latencies: [] as number[], cpu: 0 } };
  const runs = [
    [sides.keel, keelTurn],
    [sides.bare, bareTurn],
  ] as const;
  await inTurns(ROUNDS, runs, async ([side, say], round) => {
    side.cpu += await cpuOf(async () => {
      for (let i = 0; i < ROUND_TURNS; i++) {
        const turn = round * ROUND_TURNS + i;
        side.latencies.push(await timed(() => say(turn)));
      }
    });
  });
  const turns = ROUNDS * ROUND_TURNS;
  return { keel: { ...sides.keel, cpu: sides.keel.cpu / turns }, bare: { ...sides.bare, cpu: sides.bare.cpu / turns } };
}

/** Keel's row: the latencies, and how note turns, read-only turns and the thread's growing history compare. */
function keelRow(latencies: number[]): Row {
  const total = latencies.reduce((a, b) => a + b, 0);
  const quarter = Math.floor(latencies.length / 4);
  // The operator has one thread for life: its checkpointed messages grow until memory compaction trims them.
  const early = summarize(latencies.slice(0, quarter)).median;
  const late = summarize(latencies.slice(-quarter)).median;
  const kernelTurns = summarize(latencies.filter((_, turn) => turn % 2 === 0)).median;
  const readTurns = summarize(latencies.filter((_, turn) => turn % 2 === 1)).median;
  return {
    group: 'Turn',
    benchmark: '1 thread, conversation.handle, sequential',
    latency: summarize(latencies),
    throughput: { value: perSecond(latencies.length, total), unit: 'turns/s' },
    notes: `note turn ${formatMs(kernelTurns)}, read-only ${formatMs(readTurns)} (medians); first → last quarter of the thread ${formatMs(early)} → ${formatMs(late)}`,
  };
}

async function concurrentThreads(keel: Keel): Promise<Row> {
  const graph = keel.graph;
  const latencies: number[] = [];
  // Each thread takes its turns in order (a LangGraph thread must not run twice at once); the threads overlap.
  const thread = async (index: number) => {
    for (let turn = 0; turn < TURNS_PER_THREAD; turn++) {
      latencies.push(await timed(() => graph.invoke(turnInput(textEvent(message(turn))), threadConfig(`bench:${index}`))));
    }
  };
  const wall = await timed(() => Promise.all(Array.from({ length: THREADS }, (_, index) => thread(index))));
  check((await countRows(keel, 'SELECT count(*) FROM notes')) === THREADS * writes(TURNS_PER_THREAD), 'every note turn stored one note');
  return {
    group: 'Turn',
    benchmark: `${THREADS} threads concurrently, graph.invoke`,
    latency: summarize(latencies),
    throughput: { value: perSecond(latencies.length, wall), unit: 'turns/s' },
    notes: `${TURNS_PER_THREAD} turns per thread; latency includes waiting behind the other threads on one event loop`,
  };
}

/** Message in → reply out through graph, kernel and checkpointer, with the offline model standing in for the LLM. */
export const turns: BenchGroup = {
  name: 'per-turn overhead',
  async run(progress) {
    progress(`1 thread: ${WARMUP_TURNS} warm-up + ${ROUNDS} rounds of ${ROUND_TURNS} turns, conversation.handle and a bare LangGraph graph alternating`);
    const measured = await withKeel('turns-1', async (keel) => {
      const notesBefore = await countRows(keel, 'SELECT count(*) FROM notes');
      const sides = await sideBySide(keel);
      const notes = (await countRows(keel, 'SELECT count(*) FROM notes')) - notesBefore;
      check(notes === writes(WARMUP_TURNS) + writes(ROUNDS * ROUND_TURNS), 'every note turn stored one note');
      return sides;
    });
    progress(`${THREADS} threads × ${TURNS_PER_THREAD} turns, concurrently through the graph`);
    const concurrent = await withKeel('turns-50', concurrentThreads);
    const bare = summarize(measured.bare.latencies);
    const keelLatency = keelRow(measured.keel.latencies);
    const keelTurn = keelLatency.latency!;
    const cpu = measured.keel.cpu;
    const bareCpu = measured.bare.cpu;
    return [
      {
        ...keelLatency,
        baseline: `bare LangGraph ${formatMs(bare.median)}, p99 ${formatMs(bare.p99)}; CPU ${formatMs(bareCpu)}/turn`,
        ratio: `${times(keelTurn.median, bare.median)}, p99 ${times(keelTurn.p99, bare.p99)} (target ≤ 1.5×); CPU ${times(cpu, bareCpu)}`,
        notes: `${keelLatency.notes}; CPU ${formatMs(cpu)} a turn`,
      },
      {
        group: 'Turn',
        benchmark: '1 thread, bare LangGraph graph.invoke',
        latency: bare,
        notes: "Keel's state, nodes and edges, the path of an offline turn, one-line nodes, MemorySaver: the baseline above",
      },
      concurrent,
    ];
  },
};
