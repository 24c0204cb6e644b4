import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Annotation, Command, END, START, StateGraph, interrupt, type StateSnapshot } from '@langchain/langgraph';
import { LibSQLSaver } from '../../src/graph/index.js';
import { openTempDatabase, type TempDatabase } from './checkpointer-db.js';

/** A turn shaped like Keel's: a new `inbound` event, two nodes, and a gate that waits when asked to. */
const State = Annotation.Root({
  inbound: Annotation<string>({ reducer: (_prev, next) => next, default: () => '' }),
  messages: Annotation<string[]>({ reducer: (prev, next) => [...prev, ...next], default: () => [] }),
});

function turnGraph(saver: LibSQLSaver) {
  return new StateGraph(State)
    .addNode('think', (state) => ({ messages: [`thought about ${state.inbound}`] }))
    .addNode('answer', (state) => ({ messages: [`answer to ${state.inbound}`] }))
    .addNode(
      'gate',
      (state) => {
        if (!state.inbound.startsWith('wait')) return new Command({ goto: END });
        const next = interrupt<string, string>('waiting');
        return new Command({ update: { inbound: next, messages: [`resumed by ${next}`] }, goto: 'think' });
      },
      { ends: ['think', END] },
    )
    .addEdge(START, 'think')
    .addEdge('think', 'answer')
    .addEdge('answer', 'gate')
    .compile({ checkpointer: saver });
}

const policy = { turnChannel: 'inbound', keepTurns: 5, detailedTurns: 2 };
const config = { configurable: { thread_id: 'op' } };
const idOf = (snapshot: StateSnapshot) => String(snapshot.config.configurable?.checkpoint_id);

describe('LibSQLSaver.pruneHistory', () => {
  let db: TempDatabase;
  let saver: LibSQLSaver;
  let graph: ReturnType<typeof turnGraph>;
  beforeEach(async () => {
    db = await openTempDatabase();
    saver = new LibSQLSaver(db.storage.client);
    graph = turnGraph(saver);
  });
  afterEach(async () => {
    await db.remove();
  });

  const history = async () => {
    const snapshots: StateSnapshot[] = [];
    for await (const snapshot of graph.getStateHistory(config)) snapshots.push(snapshot);
    return snapshots;
  };
  const turns = async (count: number, from = 0) => {
    for (let turn = from; turn < from + count; turn++) await graph.invoke({ inbound: `turn ${turn}`, messages: [`said ${turn}`] }, config);
  };
  const rows = async (sql: string) => (await db.storage.client.execute({ sql, args: ['op'] })).rows;

  it('keeps the live and detailed turns whole, one checkpoint per older turn within the window, and nothing older', async () => {
    await turns(10);
    const before = new Map((await history()).map((snapshot) => [idOf(snapshot), snapshot]));
    const latest = await graph.getState(config);

    const result = await saver.pruneHistory('op', policy);

    const after = await history();
    // Each turn stores 5 checkpoints: input, then after __start__, think, answer and gate.
    expect(after).toHaveLength(5 + 2 * 5 + 3);
    expect(result.checkpoints).toBe(before.size - after.length);
    expect(result.blobs).toBeGreaterThan(0);
    // The older turns' checkpoints and the values only they refer to were deflated in place, and read back below.
    expect(result.packed).toBeGreaterThan(0);
    expect(await rows("SELECT 1 FROM checkpoints WHERE thread_id = ? AND type LIKE '%+deflate'")).toHaveLength(3);
    // The 3 oldest kept turns (turns 4 to 6) are each represented by their end: nothing left to run.
    const ends = after.slice(15);
    expect(ends.map((s) => [s.values.inbound, s.next])).toEqual([
      ['turn 6', []],
      ['turn 5', []],
      ['turn 4', []],
    ]);
    // Every kept checkpoint reads back exactly as before pruning: no value it needs was deleted.
    for (const snapshot of after) {
      const original = before.get(idOf(snapshot));
      expect(original).toBeDefined();
      expect(snapshot.values).toEqual(original!.values);
      expect(snapshot.next).toEqual(original!.next);
    }
    expect((await graph.getState(config)).values).toEqual(latest.values);
    // An unbroken chain: every parent is a kept checkpoint, and the oldest kept one has none.
    const kept = new Set(after.map(idOf));
    for (const snapshot of after.slice(0, -1)) expect(kept.has(String(snapshot.parentConfig?.configurable?.checkpoint_id))).toBe(true);
    expect(after.at(-1)!.parentConfig).toBeUndefined();
  });

  it('leaves no channel value or pending write that no checkpoint refers to', async () => {
    await turns(10);
    await saver.pruneHistory('op', policy);
    const referenced = new Set<string>();
    for await (const tuple of saver.list(config)) {
      for (const [channel, version] of Object.entries(tuple.checkpoint.channel_versions)) referenced.add(`${channel}@${String(version)}`);
    }
    const blobs = (await rows('SELECT channel, version FROM checkpoint_blobs WHERE thread_id = ?')).map((r) => `${String(r.channel)}@${String(r.version)}`);
    expect(blobs.filter((key) => !referenced.has(key))).toEqual([]);
    expect(
      await rows(
        'SELECT * FROM checkpoint_writes w WHERE thread_id = ? AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = w.thread_id AND c.checkpoint_id = w.checkpoint_id)',
      ),
    ).toEqual([]);
  });

  it('keeps a turn that waited at an interrupt as its own turn, and the thread resumes after pruning', async () => {
    await turns(3);
    await graph.invoke({ inbound: 'wait for it', messages: [] }, config);
    await graph.invoke(new Command({ resume: 'the decision' }), config);
    await turns(4, 3);
    // Prune while a turn waits: the pending interrupt must survive.
    await graph.invoke({ inbound: 'wait again', messages: [] }, config);
    await saver.pruneHistory('op', { ...policy, keepTurns: 20 });

    const ends = (await history()).filter((s) => s.next.length === 0 || s.next.includes('gate') || s.tasks.some((t) => t.interrupts.length));
    const waited = ends.find((s) => s.values.inbound === 'wait for it');
    // The turn that waited ended at the gate, where it was interrupted; the resume began the next turn.
    expect(waited?.tasks.some((t) => t.interrupts.length > 0)).toBe(true);
    expect(ends.some((s) => s.values.inbound === 'the decision' && s.next.length === 0)).toBe(true);

    const state = await graph.getState(config);
    expect(state.tasks.some((t) => t.interrupts.length > 0)).toBe(true);
    const resumed = await graph.invoke(new Command({ resume: 'second decision' }), config);
    expect(resumed.messages.at(-1)).toBe('answer to second decision');
  });

  it('lets a rewind to an older kept turn go on, and prunes the branch it leaves behind', async () => {
    await turns(10);
    await saver.pruneHistory('op', policy);
    const target = (await history()).find((s) => s.values.inbound === 'turn 5' && s.next.length === 0)!;
    const messagesThen = target.values.messages as string[];

    await graph.updateState(target.config, { messages: [] });
    await turns(1, 100);
    expect((await graph.getState(config)).values.messages).toEqual([...messagesThen, 'said 100', 'thought about turn 100', 'answer to turn 100']);

    await turns(4, 101);
    await saver.pruneHistory('op', policy);
    expect((await graph.getState(config)).values.inbound).toBe('turn 104');
    // Five finished turns: 103 back to 100, and the rewind itself; the abandoned turns 6 to 9 fell out of the window.
    const inbound = (await history()).map((s) => s.values.inbound as string);
    expect(inbound).toContain('turn 100');
    expect(inbound.filter((i) => ['turn 6', 'turn 7', 'turn 8', 'turn 9'].includes(i))).toEqual([]);
  });

  it('does nothing to a thread within its window', async () => {
    await turns(3);
    const count = (await history()).length;
    expect(await saver.pruneHistory('op', policy)).toEqual({ checkpoints: 0, blobs: 0, packed: 0 });
    expect(await history()).toHaveLength(count);
  });
});
