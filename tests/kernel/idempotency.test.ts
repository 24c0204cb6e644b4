import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { randomIds } from '../../src/core/ids.js';
import { createKernel, IdempotencyConflict, InvalidInput, scopePolicy, UnknownOperation } from '../../src/kernel/index.js';
import { effectStore, noteRequest, setup, testConnectors, testScopes } from './support.js';

let cleanups: Array<() => void> = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});
const start = async (...args: Parameters<typeof setup>) => {
  const env = await setup(...args);
  cleanups.push(env.cleanup);
  return env;
};

describe('idempotency', () => {
  it('runs an approved action once and returns the recorded row for a repeated key', async () => {
    const { kernel, effects } = await start();
    const req = noteRequest('invoice reminder', 'thread:1:call:1');

    const first = await kernel.execute(req);
    expect(first).toMatchObject({ state: 'succeeded', attempts: 1, result: { noteId: 'note:thread:1:call:1' } });

    const again = await kernel.execute({ ...req, input: { text: 'invoice reminder' } });
    expect(again).toEqual(first);
    expect(await effects.list('thread:1:call:1')).toHaveLength(1);
  });

  it('treats the same input in another key order as the same request', async () => {
    const { kernel, effects } = await start();
    const base = { operation: 'notes.add', idempotencyKey: 'k-order', agent: 'sales', reason: 'r' };
    const first = await kernel.execute({ ...base, input: { text: 'a', amount: 2 } });
    const again = await kernel.execute({ ...base, input: { amount: 2, text: 'a' } });
    expect(again.id).toBe(first.id);
    expect(await effects.list('k-order')).toHaveLength(1);
  });

  it('calls the connector once for concurrent duplicates in one process', async () => {
    const { kernel, effects } = await start();
    const req = noteRequest('concurrent', 'thread:1:call:2');

    const outcomes = await Promise.all(Array.from({ length: 8 }, () => kernel.execute(req)));

    expect(new Set(outcomes.map((a) => a.id)).size).toBe(1);
    expect(outcomes.every((a) => a.state === 'succeeded' && a.attempts === 1)).toBe(true);
    expect(await effects.list('thread:1:call:2')).toHaveLength(1);
    expect(await kernel.list()).toHaveLength(1);
  });

  it('calls the connector once when concurrent callers all find the action approved', async () => {
    const { kernel, effects } = await start();
    const req = noteRequest('approved race', 'thread:1:call:5');
    const proposed = await kernel.propose(req);
    expect(proposed.state).toBe('approved');

    const outcomes = await Promise.all([
      ...Array.from({ length: 4 }, () => kernel.execute(proposed.id)),
      ...Array.from({ length: 4 }, () => kernel.execute(req)),
    ]);

    expect(outcomes.map((a) => a.state)).toEqual(Array(8).fill('succeeded'));
    expect(outcomes.every((a) => a.attempts === 1)).toBe(true);
    expect(await effects.list('thread:1:call:5')).toHaveLength(1);
  });

  it('calls the connector once when two kernels on one database race', async () => {
    const { kernel, effects, database } = await start({ ids: randomIds });
    const other = await database.open();
    cleanups.unshift(() => other.close());
    const second = createKernel({
      db: other.db,
      connectors: testConnectors(effectStore(other.client)),
      policy: scopePolicy(testScopes),
      clock: new ManualClock(),
      ids: randomIds,
    });
    const req = noteRequest('two processes', 'thread:1:call:3');

    const [a, b] = await Promise.all([kernel.execute(req), second.execute(req)]);

    expect(a.id).toBe(b.id);
    expect([a.state, b.state]).toEqual(['succeeded', 'succeeded']);
    expect(await effects.list('thread:1:call:3')).toHaveLength(1);
  });

  it('refuses a repeated key with different input and leaves the recorded action alone', async () => {
    const { kernel, effects } = await start();
    const first = await kernel.execute(noteRequest('original', 'thread:1:call:4'));

    const conflict = kernel.execute(noteRequest('something else', 'thread:1:call:4'));
    await expect(conflict).rejects.toBeInstanceOf(IdempotencyConflict);
    await expect(conflict).rejects.toThrow(/thread:1:call:4.*already used for notes\.add with different input/);

    const otherOperation = kernel.execute({ ...noteRequest('original', 'thread:1:call:4'), operation: 'mail.send', input: { to: 'a@b.co', subject: 's' } });
    await expect(otherOperation).rejects.toMatchObject({ code: 'idempotency_conflict' });
    expect(await kernel.get(first.id)).toEqual(first);
    expect(await effects.list()).toHaveLength(1);
  });

  it('names the field and the problem of invalid input, and records nothing', async () => {
    const { kernel } = await start();
    const bad = kernel.execute({ ...noteRequest(), input: { text: '', amount: -3 } });
    await expect(bad).rejects.toBeInstanceOf(InvalidInput);
    await expect(bad).rejects.toThrow(/input for notes\.add: text: .*; amount: /);
    await expect(kernel.execute({ ...noteRequest(), idempotencyKey: '' })).rejects.toThrow(/action request: idempotencyKey:/);
    await expect(kernel.execute({ ...noteRequest(), idempotencyKey: 'compensate:act_1' })).rejects.toThrow(/reserved for compensations/);
    expect(await kernel.list()).toEqual([]);
  });

  it('refuses an unknown operation with the list of known ones', async () => {
    const { kernel } = await start();
    await expect(kernel.execute({ ...noteRequest(), operation: 'notes.burn' })).rejects.toBeInstanceOf(UnknownOperation);
    expect(() => kernel.operation('notes.burn')).toThrow(/Unknown operation "notes\.burn".*notes\.add/);
    expect(kernel.operation('mail.send').summary).toBe('send an email');
  });
});
