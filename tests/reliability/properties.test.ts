import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIds } from '../../src/core/ids.js';
import { IdempotencyConflict, type ActionRequest } from '../../src/kernel/index.js';
import { billingTotals } from '../../src/core/billing.js';
import { numberInvoice } from '../../src/connectors/invoices/numbering.js';
import { tempDatabase } from '../support/db.js';
import { setup } from '../kernel/support.js';

/**
 * Property-based tests (fast-check): random interleavings, duplicates and
 * failures against the real kernel and the real numbering SQL on libSQL.
 * Each property shares one database across its runs, with keys and years
 * scoped per run, so a run costs milliseconds rather than a migration.
 */

/** Runs the thunks in consecutive groups of `width`, each group concurrently; outcomes keep the calls' order. */
async function inGroups<T>(thunks: (() => Promise<T>)[], width: number): Promise<PromiseSettledResult<T>[]> {
  const settled: PromiseSettledResult<T>[] = [];
  for (let i = 0; i < thunks.length; i += width) settled.push(...(await Promise.allSettled(thunks.slice(i, i + width).map((t) => t()))));
  return settled;
}

describe('kernel idempotency under any interleaving', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup({ ids: randomIds });
  });
  afterAll(() => env.cleanup());

  // A small pool of keys and inputs, so duplicates and reused keys with other inputs are frequent.
  const call = fc.record({
    key: fc.integer({ min: 0, max: 5 }),
    operation: fc.constantFrom('notes.add', 'mail.send'),
    word: fc.constantFrom('ana', 'bo'),
  });
  const request = (run: number, c: { key: number; operation: string; word: string }): ActionRequest => ({
    operation: c.operation,
    input: c.operation === 'notes.add' ? { text: c.word } : { to: `${c.word}@client.test`, subject: 'hello' },
    idempotencyKey: `run${run}:k${c.key}`,
    agent: 'sales',
    reason: 'property test',
  });

  it('causes one effect per key, and refuses a reused key with other input', async () => {
    let run = 0;
    const tried = { runs: 0, calls: 0, conflicts: 0, effects: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 24 }), fc.integer({ min: 1, max: 12 }), async (calls, width) => {
        run++;
        const { kernel, effects } = env;
        const outcomes = await inGroups(
          calls.map((c) => () => kernel.execute(request(run, c))),
          width,
        );

        // The key's first recorded request wins; every call either matches it or is refused as a conflict.
        const rows = new Map((await kernel.list()).filter((a) => a.idempotencyKey.startsWith(`run${run}:`)).map((a) => [a.idempotencyKey, a]));
        calls.forEach((c, i) => {
          const req = request(run, c);
          const row = rows.get(req.idempotencyKey)!;
          const outcome = outcomes[i]!;
          const same = row.operation === c.operation && JSON.stringify(row.input) === JSON.stringify(req.input);
          if (same) {
            expect(outcome.status).toBe('fulfilled');
            if (outcome.status === 'fulfilled') expect(outcome.value.id).toBe(row.id);
          } else {
            expect(outcome.status).toBe('rejected');
            if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(IdempotencyConflict);
            tried.conflicts++;
          }
        });
        expect(rows.size).toBe(new Set(calls.map((c) => c.key)).size);

        // Emails wait for the operator: no effect until approved, then exactly one however many taps and executes race.
        const mine = async () => (await effects.list()).filter((e) => e.key.startsWith(`run${run}:`));
        expect((await mine()).every((e) => e.operation === 'notes.add')).toBe(true);
        const waiting = [...rows.values()].filter((a) => a.state === 'awaiting_approval');
        await Promise.all(
          waiting.flatMap((a) => [
            kernel.decide({ ref: a.cardRef!, decision: 'approve', by: 'web:operator' }),
            kernel.decide({ ref: a.cardRef!, decision: 'approve', by: 'telegram:4242' }),
          ]),
        );
        await Promise.all(waiting.flatMap((a) => [kernel.execute(a.id), kernel.execute(a.id), kernel.execute(a.id)]));
        const done = await mine();
        expect(done.map((e) => e.key).sort()).toEqual([...rows.keys()].sort());
        for (const a of await kernel.list()) if (rows.has(a.idempotencyKey)) expect(a.state).toBe('succeeded');

        tried.runs++;
        tried.calls += calls.length;
        tried.effects += done.length;
      }),
      { numRuns: 30 },
    );
    console.log(
      `kernel idempotency: ${tried.runs} random interleavings, ${tried.calls} execute calls (${tried.conflicts} reused keys with other input refused), ${tried.effects} effects, exactly one per key`,
    );
  }, 120_000);
});

describe('invoice numbering under concurrency, duplicates and failures', () => {
  const database = tempDatabase('keel-numbering-');
  let storage: Awaited<ReturnType<typeof database.open>>;
  beforeAll(async () => {
    storage = await database.open();
  });
  afterAll(() => {
    storage.close();
    database.remove();
  });

  const issue = fc.record({
    key: fc.integer({ min: 0, max: 15 }),
    year: fc.integer({ min: 0, max: 2 }),
    // A row the database refuses (NOT NULL), as a failing write inside the numbering batch would be.
    fails: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  });

  it('gives each key one number, gapless and unrepeated per year', async () => {
    let run = 0;
    const tried = { runs: 0, requests: 0, failures: 0, invoices: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(issue, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 16 }), async (requests, width) => {
        run++;
        // Years of their own per run, so every run starts its series at 1.
        const yearOf = (y: number) => 3000 + run * 3 + y;
        const now = new Date('2026-01-05T00:00:00Z');
        const outcomes = await inGroups(
          requests.map(
            (r) => () =>
              numberInvoice(storage.db, {
                id: randomIds.id('inv'),
                idempotencyKey: `run${run}:inv${r.key}`,
                year: yearOf(r.year),
                clientId: 'cli_1',
                description: (r.fails ? null : 'consulting') as string,
                hoursCenti: 100,
                rateMinor: 15000,
                currency: 'EUR',
                totals: billingTotals([
                  { description: 'consulting', quantityMilli: 1000, unit: 'hour', unitPriceMinor: 15000, vat: { category: 'S', ratePercent: 19 } },
                ]),
                issuedAt: now,
                dueAt: now,
                serviceStart: '2026-01-05',
                serviceEnd: '2026-01-05',
                notes: [],
                taxRule: null,
                seller: null,
                buyer: null,
                payment: null,
              }),
          ),
          width,
        );

        const rows = (
          await storage.db.all<{ number: string; year: number; seq: number; key: string }>(
            sql`SELECT number, year, seq, idempotency_key AS key FROM invoices WHERE idempotency_key LIKE ${`run${run}:%`} ORDER BY year, seq`,
          )
        ).map((r) => ({ ...r, year: Number(r.year), seq: Number(r.seq) }));
        // One invoice per key that ever succeeded; a key's later requests (even for another year) change nothing.
        const succeeded = new Set(requests.filter((r) => !r.fails).map((r) => `run${run}:inv${r.key}`));
        expect(rows.map((r) => r.key).sort()).toEqual([...succeeded].sort());
        // Each invoice got its one line in the same batch, and no repeated key added another.
        const [lines] = await storage.db.all<{ n: number }>(
          sql`SELECT count(*) AS n FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.idempotency_key LIKE ${`run${run}:%`}`,
        );
        expect(Number(lines?.n)).toBe(rows.length);
        // A failing write is refused, unless its key already had its invoice (then there was nothing to write).
        requests.forEach((r, i) => {
          const expected = r.fails && !succeeded.has(`run${run}:inv${r.key}`) ? 'rejected' : 'fulfilled';
          if (!r.fails) expect(outcomes[i]!.status, `request ${JSON.stringify(r)}`).toBe('fulfilled');
          else if (expected === 'rejected') expect(outcomes[i]!.status, `request ${JSON.stringify(r)}`).toBe('rejected');
        });
        for (const year of new Set(rows.map((r) => r.year))) {
          const series = rows.filter((r) => r.year === year);
          expect(series.map((r) => r.seq)).toEqual(series.map((_, i) => i + 1));
          expect(series.map((r) => r.number)).toEqual(series.map((r) => `${year}-${String(r.seq).padStart(4, '0')}`));
          const [counter] = await storage.db.all<{ last: number }>(sql`SELECT last FROM invoice_counters WHERE year = ${year}`);
          expect(Number(counter?.last)).toBe(series.length);
        }
        tried.runs++;
        tried.requests += requests.length;
        tried.failures += requests.filter((r) => r.fails).length;
        tried.invoices += rows.length;
      }),
      { numRuns: 60 },
    );
    console.log(
      `invoice numbering: ${tried.runs} random runs, ${tried.requests} concurrent requests (${tried.failures} failing writes), ${tried.invoices} invoices, every year's series gapless from 1 with no repeats`,
    );
  }, 120_000);
});
