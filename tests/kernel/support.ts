import type { Client } from '@libsql/client';
import { afterEach } from 'vitest';
import { tempDatabase } from '../support/db.js';
import { asc } from 'drizzle-orm';
import { z } from 'zod';
import { ManualClock } from '../../src/core/clock.js';
import { sequentialIds, type IdSource } from '../../src/core/ids.js';
import {
  auditLog,
  ConnectorError,
  createKernel,
  defineOperation,
  scopePolicy,
  type Connector,
  type KernelDeps,
  type OperationContext,
} from '../../src/kernel/index.js';

/**
 * Effects the test connectors cause, written to a table in the same database
 * file so they survive a killed process and can be counted afterwards.
 */
export function effectStore(client: Client) {
  return {
    async init() {
      await client.execute(
        'CREATE TABLE IF NOT EXISTS test_effects (seq INTEGER PRIMARY KEY AUTOINCREMENT, operation TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL)',
      );
    },
    async record(operation: string, key: string, payload: unknown) {
      await client.execute({
        sql: 'INSERT INTO test_effects (operation, key, payload) VALUES (?, ?, ?)',
        args: [operation, key, JSON.stringify(payload)],
      });
    },
    async list(key?: string) {
      const rows = await client.execute(
        key === undefined
          ? 'SELECT operation, key, payload FROM test_effects ORDER BY seq'
          : { sql: 'SELECT operation, key, payload FROM test_effects WHERE key = ? ORDER BY seq', args: [key] },
      );
      return rows.rows.map((r) => ({ operation: String(r.operation), key: String(r.key), payload: JSON.parse(String(r.payload)) as unknown }));
    },
  };
}
export type EffectStore = ReturnType<typeof effectStore>;

export interface ConnectorOptions {
  /** Errors flaky.ping throws, one per attempt, before it succeeds. */
  failures?: Error[];
  /** How lookups answer: from the effects table, or "unknown" as an outside system that cannot tell. */
  lookup?: 'effects' | 'unknown';
  /** Called inside notes.add before and after its effect is written; the crash child hangs here, the lease tests wait here. */
  hooks?: { beforeEffect?: (ctx: OperationContext) => Promise<void>; afterEffect?: (ctx: OperationContext) => Promise<void> };
  rateLimit?: { perSecond: number; burst: number };
}

/** Small but real connectors: every run writes one effect row. */
export function testConnectors(effects: EffectStore, opts: ConnectorOptions = {}): Connector[] {
  const failures = [...(opts.failures ?? [])];
  const lookup = async (key: string) => {
    if (opts.lookup === 'unknown') return { status: 'unknown', detail: 'the provider does not say' } as const;
    const [done] = await effects.list(key);
    return done ? ({ status: 'done', result: done.payload } as const) : ({ status: 'not_done' } as const);
  };
  const effect = async (operation: string, key: string, payload: unknown) => {
    await effects.record(operation, key, payload);
    return payload;
  };

  const notes: Connector = {
    name: 'notes',
    operations: [
      defineOperation({
        name: 'notes.add',
        summary: 'add a note',
        input: z.object({ text: z.string().min(1), amount: z.number().positive().optional() }),
        leavesSystem: false,
        async run(input, ctx) {
          await opts.hooks?.beforeEffect?.(ctx);
          const result = await effect('notes.add', ctx.idempotencyKey, { noteId: `note:${ctx.idempotencyKey}`, text: input.text });
          await opts.hooks?.afterEffect?.(ctx);
          return result;
        },
        lookup,
        compensation: {
          kind: 'operation',
          operation: 'notes.remove',
          input: (_input, result) => ({ noteId: (result as { noteId: string }).noteId }),
        },
      }),
      defineOperation({
        name: 'notes.remove',
        summary: 'remove a note',
        input: z.object({ noteId: z.string() }),
        leavesSystem: false,
        run: (input, ctx) => effect('notes.remove', ctx.idempotencyKey, { removed: input.noteId }),
        lookup,
        compensation: { kind: 'operation', operation: 'notes.add', input: () => ({ text: 'restored note' }) },
      }),
    ],
  };

  const mail: Connector = {
    name: 'mail',
    operations: [
      defineOperation({
        name: 'mail.send',
        summary: 'send an email',
        input: z.object({ to: z.email(), subject: z.string().min(1) }),
        leavesSystem: true,
        run: (input, ctx) => effect('mail.send', ctx.idempotencyKey, { sentTo: input.to }),
        lookup,
        compensation: { kind: 'irreversible', note: 'a sent email cannot be recalled' },
      }),
    ],
  };

  const invoices: Connector = {
    name: 'invoices',
    operations: [
      defineOperation({
        name: 'invoices.issue',
        summary: 'issue an invoice',
        input: z.object({ client: z.string(), amount: z.number().positive() }),
        leavesSystem: true,
        run: (input, ctx) => effect('invoices.issue', ctx.idempotencyKey, { invoiceId: `inv:${ctx.idempotencyKey}`, ...input }),
        lookup,
        compensation: {
          kind: 'operation',
          operation: 'invoices.void',
          input: (_input, result) => ({ invoiceId: (result as { invoiceId: string }).invoiceId }),
        },
      }),
      defineOperation({
        name: 'invoices.void',
        summary: 'void an invoice',
        input: z.object({ invoiceId: z.string() }),
        leavesSystem: true,
        run: (input, ctx) => effect('invoices.void', ctx.idempotencyKey, { voided: input.invoiceId }),
        lookup,
        compensation: { kind: 'irreversible', note: 'a voided invoice stays void' },
      }),
    ],
  };

  const flaky: Connector = {
    name: 'flaky',
    ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
    operations: [
      defineOperation({
        name: 'flaky.ping',
        summary: 'ping a flaky service',
        input: z.object({ n: z.number().int() }),
        leavesSystem: false,
        async run(input, ctx) {
          const failure = failures.shift();
          if (failure) throw failure;
          return effect('flaky.ping', ctx.idempotencyKey, { noteId: `ping:${ctx.idempotencyKey}`, n: input.n, attempt: ctx.attempt });
        },
        lookup,
        // Reversible, so it runs without approval and the retry tests need no decisions.
        compensation: {
          kind: 'operation',
          operation: 'notes.remove',
          input: (_input, result) => ({ noteId: (result as { noteId: string }).noteId }),
        },
      }),
    ],
  };

  return [notes, mail, invoices, flaky];
}

export const testScopes = {
  sales: { operations: ['notes.add', 'mail.send', 'flaky.ping'] },
  finance: { operations: ['invoices.issue', 'invoices.void'] },
};

/** A kernel on a temp database with the test connectors, a ManualClock and counting ids. */
export async function setup(opts: ConnectorOptions & { kernel?: Partial<KernelDeps>; ids?: IdSource } = {}) {
  const database = tempDatabase('keel-kernel-');
  const storage = await database.open();
  const effects = effectStore(storage.client);
  await effects.init();
  const clock = new ManualClock();
  const cleanup = () => {
    storage.close();
    database.remove();
  };
  const build = () =>
    createKernel({
      db: storage.db,
      connectors: testConnectors(effects, opts),
      policy: scopePolicy(testScopes),
      clock,
      ids: opts.ids ?? sequentialIds(),
      random: () => 0.5,
      ...opts.kernel,
    });
  let kernel: ReturnType<typeof build>;
  try {
    kernel = build();
  } catch (error) {
    // A test that expects createKernel to refuse still gets its temp database removed.
    cleanup();
    throw error;
  }
  const auditTrail = () => storage.db.select().from(auditLog).orderBy(asc(auditLog.id));
  return { database, storage, effects, clock, kernel, auditTrail, cleanup };
}

export const retryable = (message: string, retryAfterMs?: number) =>
  new ConnectorError(message, retryAfterMs === undefined ? { retryable: true } : { retryable: true, retryAfterMs });

let keys = 0;
/** A request from the sales agent with a fresh idempotency key. */
export const noteRequest = (text = 'call Ana back', key = `test:note:${++keys}`) => ({
  operation: 'notes.add',
  input: { text },
  idempotencyKey: key,
  agent: 'sales',
  reason: 'the operator asked to remember it',
  evidence: ['msg_1'],
  threadId: 'op:1',
});

/** `setup` for each test of the calling file, each kernel cleaned up after its test. */
export function kernelPerTest() {
  let cleanup: (() => void) | undefined;
  afterEach(() => {
    cleanup?.();
    cleanup = undefined;
  });
  return async (...args: Parameters<typeof setup>) => {
    const env = await setup(...args);
    cleanup = env.cleanup;
    return env;
  };
}

/** A request to the test connector's `flaky.ping`, whose failures each test scripts. */
export const pingRequest = (key: string) => ({ operation: 'flaky.ping', input: { n: 1 }, idempotencyKey: key, agent: 'sales', reason: 'health check' });
