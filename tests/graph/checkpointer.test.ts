import { createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { Annotation, Command, END, START, StateGraph, interrupt } from '@langchain/langgraph';
import type { Client } from '@libsql/client';
import { JsonPlusSerializer, emptyCheckpoint, uuid6 } from '@langchain/langgraph-checkpoint';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { dumpMessages } from '../../src/graph/checkpointer/message-text.js';
import { loadTyped } from '../../src/graph/checkpointer/packed.js';
import { LibSQLSaver } from '../../src/graph/checkpointer/index.js';
import { openTempDatabase, type TempDatabase } from './checkpointer-db.js';
import type { SqlRunner } from '../../src/storage/index.js';

const State = Annotation.Root({
  request: Annotation<string>(),
  decision: Annotation<string>(),
  log: Annotation<string[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
});

/** draft → approve (asks a human via interrupt) → send: the shape of an approval flow. */
function approvalGraph(saver: LibSQLSaver) {
  return new StateGraph(State)
    .addNode('draft', (state) => ({ log: [`drafted ${state.request}`] }))
    .addNode('approve', () => {
      const decision = interrupt<{ question: string }, string>({ question: 'Send it?' });
      return { decision, log: [`decided ${decision}`] };
    })
    .addNode('send', (state) => ({ log: [state.decision === 'yes' ? 'sent' : 'dropped'] }))
    .addEdge(START, 'draft')
    .addEdge('draft', 'approve')
    .addEdge('approve', 'send')
    .addEdge('send', END)
    .compile({ checkpointer: saver });
}

async function rowsForThread(client: Client, threadId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['checkpoints', 'checkpoint_blobs', 'checkpoint_writes']) {
    const { rows } = await client.execute({ sql: `SELECT count(*) AS n FROM ${table} WHERE thread_id = ?`, args: [threadId] });
    counts[table] = Number(rows[0]?.['n']);
  }
  return counts;
}

/** `sql`, logging the text of each read: one entry per round trip, a batch as one. */
function countingReads(sql: SqlRunner, log: string[][]): SqlRunner {
  return {
    query(statement) {
      log.push([statement.sql]);
      return sql.query(statement);
    },
    queryFirst(statement) {
      log.push([statement.sql]);
      return sql.queryFirst(statement);
    },
    queryBatch(batch) {
      log.push(batch.map(({ sql: text }) => text));
      return sql.queryBatch(batch);
    },
    write: (batch) => sql.write(batch),
  };
}

describe('LibSQLSaver with a real graph', () => {
  let database: TempDatabase;

  afterEach(async () => {
    await database.remove();
  });

  it('says whether a thread rests at an interrupt as getState does, without loading the state', async () => {
    database = await openTempDatabase();
    const thread = { configurable: { thread_id: 'waiting' } };
    const saver = new LibSQLSaver(database.storage.sql);
    const graph = approvalGraph(saver);
    const waiting = async () => (await graph.getState(thread)).tasks.some((task) => task.interrupts.length > 0);

    expect(await saver.waitsAtInterrupt('waiting')).toBe(false);
    await graph.invoke({ request: 'invoice' }, thread);
    expect(await waiting()).toBe(true);
    expect(await saver.waitsAtInterrupt('waiting')).toBe(true);
    expect(await new LibSQLSaver(database.storage.client).waitsAtInterrupt('waiting')).toBe(true);
    expect(await saver.waitsAtInterrupt('another thread')).toBe(false);
    await graph.invoke(new Command({ resume: 'yes' }), thread);
    expect(await waiting()).toBe(false);
    expect(await saver.waitsAtInterrupt('waiting')).toBe(false);
  });

  it('reads checkpoints written before channel_versions existed, values and pending interrupt alike', async () => {
    database = await openTempDatabase();
    const thread = { configurable: { thread_id: 'before-versions' } };
    const saver = new LibSQLSaver(database.storage.sql);
    await approvalGraph(saver).invoke({ request: 'invoice' }, thread);
    const before = await approvalGraph(saver).getState(thread);
    const historyBefore = [];
    for await (const snapshot of approvalGraph(saver).getStateHistory(thread)) historyBefore.push(snapshot.values);
    await database.storage.client.execute({
      sql: "UPDATE checkpoint_rows SET channel_versions = NULL WHERE thread_id = ? AND channel = ''",
      args: ['before-versions'],
    });

    const graph = approvalGraph(new LibSQLSaver(database.storage.sql));
    const after = await graph.getState(thread);
    expect(after.values).toEqual(before.values);
    expect(after.tasks[0]?.interrupts[0]?.value).toEqual({ question: 'Send it?' });
    const history = [];
    for await (const snapshot of graph.getStateHistory(thread)) history.push(snapshot.values);
    expect(history).toEqual(historyBefore);
    const resumed = await graph.invoke(new Command({ resume: 'no' }), thread);
    expect(resumed.log).toEqual(['drafted invoice', 'decided no', 'dropped']);
  });

  it('resumes an interrupted run from a new client on the same file', async () => {
    database = await openTempDatabase();
    const thread = { configurable: { thread_id: 'approval-1' } };

    await approvalGraph(new LibSQLSaver(database.storage.client)).invoke({ request: 'invoice' }, thread);
    database.storage.close();

    const restarted = await database.reopen();
    const graph = approvalGraph(new LibSQLSaver(restarted.client));
    const paused = await graph.getState(thread);
    expect(paused.next).toEqual(['approve']);
    expect(paused.tasks[0]?.interrupts[0]?.value).toEqual({ question: 'Send it?' });

    const resumed = await graph.invoke(new Command({ resume: 'yes' }), thread);
    expect(resumed.log).toEqual(['drafted invoice', 'decided yes', 'sent']);
    expect((await graph.getState(thread)).next).toEqual([]);
  });

  it('keeps forked branches apart when an old checkpoint is updated', async () => {
    database = await openTempDatabase();
    const saver = new LibSQLSaver(database.storage.client);
    const graph = approvalGraph(saver);
    const thread = { configurable: { thread_id: 'approval-2' } };
    await graph.invoke({ request: 'invoice' }, thread);
    await graph.invoke(new Command({ resume: 'yes' }), thread);

    const history = [];
    for await (const snapshot of graph.getStateHistory(thread)) history.push(snapshot);
    const waiting = history.find((snapshot) => snapshot.next.includes('approve'));
    expect(waiting).toBeDefined();

    // Rewriting the request from the interrupted checkpoint mints new versions for
    // channels the original branch also advanced; each branch must keep its own values.
    const fork = await graph.updateState(waiting!.config, { request: 'refund' });
    const forked = await graph.invoke(new Command({ resume: 'no' }), fork);
    expect(forked.log).toEqual(['drafted invoice', 'decided no', 'dropped']);

    const forkId = String(fork.configurable?.['checkpoint_id']);
    const branch = [];
    for await (const snapshot of graph.getStateHistory(thread)) {
      if (String(snapshot.config.configurable?.['checkpoint_id']) >= forkId) branch.push(snapshot.values);
    }
    expect(branch.map((values) => values['log'])).toEqual([
      ['drafted invoice', 'decided no', 'dropped'],
      ['drafted invoice', 'decided no'],
      ['drafted invoice'],
    ]);
    expect(branch.every((values) => values['request'] === 'refund')).toBe(true);

    const original = await graph.getState({ configurable: { ...history[0]!.config.configurable } });
    expect(original.values).toMatchObject({ request: 'invoice', decision: 'yes', log: ['drafted invoice', 'decided yes', 'sent'] });
  });

  it('two processes taking turns on one thread each read the other’s newest values, whatever their caches hold', async () => {
    database = await openTempDatabase();
    const other = await database.reopen();
    const thread = { configurable: { thread_id: 'shared' } };
    const first = approvalGraph(new LibSQLSaver(database.storage.sql));
    const second = approvalGraph(new LibSQLSaver(other.sql));
    // Each graph caches the values it wrote and read; the other one's newer versions must still be fetched.
    await first.invoke({ request: 'invoice Acme' }, thread);
    expect((await second.getState(thread)).values.log).toEqual(['drafted invoice Acme']);
    await second.invoke(new Command({ resume: 'yes' }), thread);
    expect((await first.getState(thread)).values.log).toEqual(['drafted invoice Acme', 'decided yes', 'sent']);
    await first.invoke({ request: 'invoice Beta' }, thread);
    expect((await second.getState(thread)).values).toMatchObject({ request: 'invoice Beta', decision: 'yes' });
    expect((await second.getState(thread)).values.log.at(-1)).toBe('drafted invoice Beta');
  });

  it('carries small values inline from a parent this process never saw, reading only that parent’s row', async () => {
    database = await openTempDatabase();
    const thread = { configurable: { thread_id: 'inline-parent' } };
    const first = new LibSQLSaver(database.storage.sql);
    await approvalGraph(first).invoke({ request: 'invoice' }, thread);
    const head = (await first.getTuple(thread))!;
    const stored = await database.storage.client.execute({
      sql: "SELECT count(*) AS n FROM checkpoint_blobs WHERE thread_id = ? AND channel = 'request'",
      args: ['inline-parent'],
    });
    expect(Number(stored.rows[0]?.['n'])).toBe(0);

    const statements: string[][] = [];
    const other = new LibSQLSaver(countingReads((await database.reopen()).sql, statements));
    const decision = other.getNextVersion(undefined);
    const child = {
      ...head.checkpoint,
      id: uuid6(-1),
      channel_values: { ...head.checkpoint.channel_values, decision: 'yes' },
      channel_versions: { ...head.checkpoint.channel_versions, decision },
    };
    await other.put(head.config, child, { source: 'update', step: 9, parents: {} }, { decision });
    expect(statements).toEqual([[expect.stringContaining('has_writes')]]);

    const read = await new LibSQLSaver((await database.reopen()).sql).getTuple(thread);
    expect(read?.checkpoint.id).toBe(child.id);
    expect(read?.checkpoint.channel_values).toMatchObject({ request: 'invoice', decision: 'yes', log: ['drafted invoice'] });
  });

  it('stores JSON as text and still reads rows stored as bytes', async () => {
    database = await openTempDatabase();
    const thread = { configurable: { thread_id: 'text-rows' } };
    const graph = approvalGraph(new LibSQLSaver(database.storage.sql));
    await graph.invoke({ request: 'invoice' }, thread);
    await graph.invoke(new Command({ resume: 'yes' }), thread);
    const before = (await graph.getState(thread)).values;
    const kinds = async () =>
      (
        await database.storage.client.execute({
          sql: "SELECT DISTINCT typeof(blob) AS b, CASE channel WHEN '' THEN typeof(metadata) ELSE 'value' END AS m FROM checkpoint_rows WHERE thread_id = ?",
          args: ['text-rows'],
        })
      ).rows
        .map((row) => `${row['b']}/${row['m']}`)
        .sort();
    expect(await kinds()).toEqual(['text/text', 'text/value']);

    await database.storage.client.execute({
      sql: 'UPDATE checkpoint_rows SET blob = CAST(blob AS BLOB), metadata = CAST(metadata AS BLOB) WHERE thread_id = ?',
      args: ['text-rows'],
    });
    await database.storage.client.execute({ sql: 'UPDATE checkpoint_writes SET value = CAST(value AS BLOB) WHERE thread_id = ?', args: ['text-rows'] });
    expect(await kinds()).toEqual(['blob/blob', 'blob/value']);
    expect((await approvalGraph(new LibSQLSaver((await database.reopen()).sql)).getState(thread)).values).toEqual(before);
  });

  it('a restarted process reads a thread’s head as one row once it has read its values, channels without a value included', async () => {
    database = await openTempDatabase();
    const thread = { configurable: { thread_id: 'restarted-head' } };
    await approvalGraph(new LibSQLSaver(database.storage.sql)).invoke({ request: 'invoice' }, thread);
    await approvalGraph(new LibSQLSaver(database.storage.sql)).invoke(new Command({ resume: 'yes' }), thread);

    const restarted = await database.reopen();
    const statements: string[][] = [];
    const saver = new LibSQLSaver(countingReads(restarted.sql, statements));
    const first = await saver.getTuple(thread);
    // The finished run's head records versions of channels it holds no value for (the consumed input, the branch markers).
    const stored = Object.keys(first?.checkpoint.channel_values ?? {});
    expect(Object.keys(first?.checkpoint.channel_versions ?? {}).some((channel) => !stored.includes(channel))).toBe(true);
    statements.length = 0;
    const again = await saver.getTuple(thread);
    expect(statements).toEqual([[expect.stringContaining('has_writes')]]);
    expect(again?.checkpoint).toEqual(first?.checkpoint);
    expect(again?.checkpoint.channel_values).toMatchObject({ request: 'invoice', decision: 'yes', log: ['drafted invoice', 'decided yes', 'sent'] });
  });

  it('reads a head with pending writes and the values its cache lacks in one more round trip', async () => {
    database = await openTempDatabase();
    const thread = { configurable: { thread_id: 'waiting-head' } };
    const statements: string[][] = [];
    const saver = new LibSQLSaver(countingReads(database.storage.sql, statements));
    await approvalGraph(saver).invoke({ request: 'invoice' }, thread);
    statements.length = 0;
    const waiting = await saver.getTuple(thread);
    expect(statements.map((batch) => batch.length)).toEqual([1, 1]);
    expect(waiting?.pendingWrites?.map(([, channel]) => channel)).toContain('__interrupt__');
    expect(waiting?.checkpoint.channel_values).toMatchObject({ request: 'invoice', log: ['drafted invoice'] });
  });

  it('reads a cached thread’s head without a promise per value: only the database call is awaited', async () => {
    database = await openTempDatabase();
    const saver = new LibSQLSaver(database.storage.sql);
    const graph = approvalGraph(saver);
    const thread = { configurable: { thread_id: 'few-promises' } };
    await graph.invoke({ request: 'invoice' }, thread);
    await graph.invoke(new Command({ resume: 'yes' }), thread);
    const expected = await saver.getTuple(thread);

    let promises = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++;
      },
    }).enable();
    const tuple = await saver.getTuple(thread);
    hook.disable();
    expect(tuple).toEqual(expected);
    // getTuple's own, the runner's and the await between them; with an async function per load it was 38.
    expect(promises).toBeLessThanOrEqual(6);
  });

  it('deleteThread removes every checkpoint, value and write of that thread only', async () => {
    database = await openTempDatabase();
    const saver = new LibSQLSaver(database.storage.client);
    const graph = approvalGraph(saver);
    await graph.invoke({ request: 'invoice' }, { configurable: { thread_id: 'doomed' } });
    await graph.invoke({ request: 'receipt' }, { configurable: { thread_id: 'kept' } });

    const before = await rowsForThread(database.storage.client, 'doomed');
    expect(before['checkpoints']).toBeGreaterThan(0);
    expect(before['checkpoint_blobs']).toBeGreaterThan(0);
    expect(before['checkpoint_writes']).toBeGreaterThan(0);
    const kept = await rowsForThread(database.storage.client, 'kept');

    await saver.deleteThread('doomed');

    expect(await rowsForThread(database.storage.client, 'doomed')).toEqual({
      checkpoints: 0,
      checkpoint_blobs: 0,
      checkpoint_writes: 0,
    });
    expect(await saver.getTuple({ configurable: { thread_id: 'doomed' } })).toBeUndefined();
    expect(await rowsForThread(database.storage.client, 'kept')).toEqual(kept);
  });

  it('lists across pages newest first, filtering before the limit counts', async () => {
    database = await openTempDatabase();
    const saver = new LibSQLSaver(database.storage.client);
    // Both threads reuse the same checkpoint ids, so the page cursor must tell rows apart by more than the id.
    const ids = Array.from({ length: 130 }, () => uuid6(-1));
    for (const threadId of ['a', 'b']) {
      for (const [step, id] of ids.entries()) {
        const source = step % 3 === 0 ? 'input' : 'loop';
        await saver.put({ configurable: { thread_id: threadId } }, { ...emptyCheckpoint(), id }, { source, step, parents: {} }, {});
      }
    }
    const listed = async (options: Parameters<LibSQLSaver['list']>[1], threadId?: string) => {
      const found: string[] = [];
      for await (const tuple of saver.list({ configurable: { thread_id: threadId } }, options)) {
        found.push(`${tuple.config.configurable?.['thread_id']}:${tuple.checkpoint.id}`);
      }
      return found;
    };
    const newestFirst = [...ids].reverse();

    expect(await listed({}, 'a')).toEqual(newestFirst.map((id) => `a:${id}`));
    expect(await listed({})).toHaveLength(260);
    expect(new Set(await listed({})).size).toBe(260);
    const inputs = newestFirst.filter((id) => ids.indexOf(id) % 3 === 0);
    expect(await listed({ filter: { source: 'input' }, limit: 40 }, 'b')).toEqual(inputs.slice(0, 40).map((id) => `b:${id}`));
    expect(await listed({ limit: 0 }, 'a')).toEqual([]);
  });
});

describe('LibSQLSaver decoding', () => {
  it('reads every value exactly as LangGraph’s serializer does, with or without its reviver', async () => {
    const serde = new JsonPlusSerializer();
    const values: unknown[] = [
      { v: 4, id: 'x', channel_versions: { messages: '3.25' }, versions_seen: { a: { b: 1 } } },
      ['plain', 1, null, true, { nested: ['a'] }],
      [new HumanMessage('hi'), new AIMessage({ content: '', tool_calls: [{ id: 'c', name: 't', args: { a: 1 } }] })],
      { kept: undefined, set: new Set([1, 2]), map: new Map([['k', 1]]) },
      { text: 'quote " backslash \\ é ✓ \u0001 "lc" as text', lc: 'a key named lc' },
      'a bare string',
      42,
    ];
    for (const value of values) {
      const [type, bytes] = await serde.dumpsTyped(value);
      expect(await loadTyped(serde, type, bytes)).toEqual(await serde.loadsTyped(type, bytes));
    }
  });

  it('writes a list of messages message by message as LangGraph’s serializer writes it whole, and nothing else', async () => {
    const serde = new JsonPlusSerializer();
    const messages = [
      new HumanMessage({ content: 'invoice Acme 40h', id: 'm1' }),
      new AIMessage({ content: '', id: 'm2', tool_calls: [{ id: 'c', name: 'create_invoice', args: { hours: 40 } }] }),
      new ToolMessage({ content: 'Done', tool_call_id: 'c', id: 'm3' }),
      new AIMessage({ content: 'Invoice 2026-0002 is ready “as agreed” é ✓', id: 'm4', additional_kwargs: { note: { nested: [1] } } }),
    ];
    const [, whole] = await serde.dumpsTyped(messages);
    // Twice: the second time from the remembered messages, with one new message appended.
    expect(await serde.loadsTyped('json', (await dumpMessages(serde, messages))!)).toEqual(await serde.loadsTyped('json', whole));
    const longer = [...messages, new HumanMessage({ content: 'and Beta', id: 'm5' })];
    const [, longerWhole] = await serde.dumpsTyped(longer);
    expect(await serde.loadsTyped('json', (await dumpMessages(serde, longer))!)).toEqual(await serde.loadsTyped('json', longerWhole));
    expect(await dumpMessages(serde, [new HumanMessage('no id yet')])).toBeUndefined();
    expect(await dumpMessages(serde, [...messages, 'not a message'])).toBeUndefined();
    expect(await dumpMessages(serde, [])).toBeUndefined();
  });
});
