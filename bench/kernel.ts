import type { Keel } from '../src/app.js';
import type { ActionRequest } from '../src/kernel/index.js';
import { perSecond, summarize } from './stats.js';
import { check, countRows, timed, withKeel, type BenchGroup, type Row } from './support.js';

const WARMUP = 50;
const ACTIONS = 500;

const noteRequest = (key: string): ActionRequest => ({
  operation: 'records.add_note',
  input: { text: `client ${key} prefers email` },
  idempotencyKey: key,
  agent: 'operator',
  reason: 'benchmark',
});

async function executeAll(keel: Keel, keys: string[]): Promise<{ latencies: number[]; wall: number }> {
  const latencies: number[] = [];
  const wall = await timed(async () => {
    for (const key of keys) {
      latencies.push(
        await timed(async () => {
          const action = await keel.kernel.execute(noteRequest(key));
          check(action.state === 'succeeded', `action ${key} succeeded`);
        }),
      );
    }
  });
  return { latencies, wall };
}

/** The ledger's price: a new key runs the connector once; the same key again only reads what was recorded. */
export const kernel: BenchGroup = {
  name: 'kernel',
  async run(progress) {
    return withKeel('kernel', async (keel) => {
      progress(`${ACTIONS} new keys, then the same ${ACTIONS} keys again (records.add_note as operator)`);
      await executeAll(
        keel,
        Array.from({ length: WARMUP }, (_, i) => `warm-up:${i}`),
      );
      const keys = Array.from({ length: ACTIONS }, (_, i) => `bench:${i}`);
      const fresh = await executeAll(keel, keys);
      const repeated = await executeAll(keel, keys);
      check((await countRows(keel, 'SELECT count(*) FROM notes')) === WARMUP + ACTIONS, 'each key wrote exactly one note');
      const row = (benchmark: string, { latencies, wall }: { latencies: number[]; wall: number }, notes: string): Row => ({
        group: 'Kernel',
        benchmark,
        latency: summarize(latencies),
        throughput: { value: perSecond(latencies.length, wall), unit: 'actions/s' },
        notes,
      });
      return [
        row('execute, new key', fresh, 'propose + policy + ledger + connector + audit, sequential'),
        row('execute, duplicate key', repeated, 'returns the recorded outcome; the connector is not called'),
      ];
    });
  },
};
