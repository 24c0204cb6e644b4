import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Command } from '@langchain/langgraph';
import type { Keel } from '../src/app.js';
import { WEB_SENDER } from '../src/bots/web/index.js';
import type { ConversationGraph, Outbound } from '../src/graph/index.js';
import { formatMs, perSecond, summarize } from './stats.js';
import { check, countRows, operatorEvent, textEvent, threadConfig, timed, turnInput, withBillingAddress, withKeel, type BenchGroup } from './support.js';

const THREADS = 1000;
const EXPIRY_SWEEPS = 20;
const REQUEST = 'Invoice Acme 10 hours at 150 EUR for consulting';
const MiB = 1024 * 1024;

/**
 * `npm run bench` cannot pass --expose-gc through tsx, so the flag is set at
 * run time and the function taken from a fresh context. Collecting before each
 * reading keeps garbage from earlier groups out of the deltas.
 */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const cardOf = (replies: Outbound[]) => replies.find((reply) => reply.kind === 'card')?.card;

async function databaseBytes(dir: string): Promise<number> {
  const sizes = await Promise.all(
    ['keel.db', 'keel.db-wal'].map((file) =>
      stat(join(dir, file)).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Keel's conversation handles one event at a time per process, so threads are
 * parked and resumed one after another, as Keel would; each latency is then the
 * cost of that turn alone. The turn benchmark covers overlapping threads.
 */
async function parkAll(graph: ConversationGraph) {
  const refs: string[] = [];
  const latencies: number[] = [];
  // After a collection RSS can drop below the baseline as pages go back to the OS; the peak shows what parking needed.
  let peakRss = 0;
  const wall = await timed(async () => {
    for (let thread = 0; thread < THREADS; thread++) {
      latencies.push(
        await timed(async () => {
          const result = await graph.invoke(turnInput(textEvent(REQUEST)), threadConfig(`scale:${thread}`));
          const card = cardOf(result.replies);
          check(card?.state === 'awaiting_approval', `thread ${thread} stopped at the approval gate`);
          refs.push(card.ref);
        }),
      );
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
  });
  return { refs, latencies, wall, peakRss };
}

async function resumeAll(keel: Keel, graph: ConversationGraph, refs: string[]) {
  const latencies: number[] = [];
  const wall = await timed(async () => {
    for (const [thread, ref] of refs.entries()) {
      latencies.push(
        await timed(async () => {
          const decided = await keel.kernel.decide({ ref, decision: 'approve', by: WEB_SENDER });
          check(decided.outcome === 'decided', `card of thread ${thread} was decided`);
          const decision = operatorEvent({ kind: 'decision', ref, decision: 'approve' });
          const result = await graph.invoke(new Command({ resume: decision }), threadConfig(`scale:${thread}`));
          check(cardOf(result.replies)?.state === 'succeeded', `thread ${thread} issued its invoice`);
        }),
      );
    }
  });
  return { latencies, wall };
}

/**
 * Every settle node calls kernel.expireDue(), which reads every open card;
 * timing it with all threads waiting and again with none shows what an open
 * card adds to each turn.
 */
async function expirySweep(keel: Keel): Promise<number> {
  const latencies: number[] = [];
  for (let sweep = 0; sweep < EXPIRY_SWEEPS; sweep++) latencies.push(await timed(() => keel.kernel.expireDue()));
  return summarize(latencies).median;
}

/** Many invoice requests waiting for the operator at once: what they cost to hold, and to settle. */
export const scale: BenchGroup = {
  name: 'scale',
  async run(progress) {
    const gc = exposeGc();
    return withKeel('scale', async (keel, dir) => {
      const added = await keel.conversation.handle(textEvent('Add Acme Corp as a client, contact dana@acme.test'));
      check(added.status === 'handled' && (await countRows(keel, 'SELECT count(*) FROM clients')) === 1, 'Acme Corp was added');
      await withBillingAddress(keel, 'Acme Corp');
      const graph = keel.graph;
      // Untimed: the first turn through the graph pays for JIT and schema setup, not for waiting threads.
      await graph.invoke(turnInput(textEvent("what's overdue?")), threadConfig('scale:warm-up'));

      gc();
      const before = process.memoryUsage();
      progress(`parking ${THREADS} threads at the approval gate`);
      const parked = await parkAll(graph);
      gc();
      const waiting = process.memoryUsage();
      check((await countRows(keel, "SELECT count(*) FROM actions WHERE state = 'awaiting_approval'")) === THREADS, 'every thread waits on one card');
      check((await countRows(keel, 'SELECT count(*) FROM invoices')) === 0, 'no invoice exists before approval');
      const stored = await databaseBytes(dir);
      const sweepWaiting = await expirySweep(keel);

      progress(`deciding and resuming ${THREADS} threads`);
      const resumed = await resumeAll(keel, graph, parked.refs);
      const invoices = await countRows(keel, 'SELECT count(*) FROM invoices');
      const distinct = await countRows(keel, 'SELECT count(DISTINCT idempotency_key) FROM invoices');
      const issued = await countRows(keel, "SELECT count(*) FROM actions WHERE operation = 'invoices.issue' AND state = 'succeeded'");
      const sweepIdle = await expirySweep(keel);
      check(
        invoices === THREADS && distinct === THREADS && issued === THREADS,
        `${THREADS} invoices, each exactly once (found ${invoices}, ${distinct} distinct keys, ${issued} issued actions)`,
      );

      const signed = (bytes: number) => `${bytes >= 0 ? '+' : '−'}${(Math.abs(bytes) / MiB).toFixed(1)} MiB`;
      const heapPerThread = (waiting.heapUsed - before.heapUsed) / 1024 / THREADS;
      return [
        {
          group: 'Scale',
          benchmark: `park ${THREADS.toLocaleString('en')} threads at the approval gate`,
          latency: summarize(parked.latencies),
          throughput: { value: perSecond(THREADS, parked.wall), unit: 'threads/s' },
          notes:
            `with all ${THREADS.toLocaleString('en')} waiting, after GC: heap ${signed(waiting.heapUsed - before.heapUsed)} (${heapPerThread.toFixed(1)} KiB/thread), ` +
            `RSS ${signed(waiting.rss - before.rss)} (peak while parking ${signed(parked.peakRss - before.rss)}); ` +
            `database ${(stored / MiB).toFixed(1)} MiB (${(stored / 1024 / THREADS).toFixed(0)} KiB/thread)`,
        },
        {
          group: 'Scale',
          benchmark: `resume ${THREADS.toLocaleString('en')} threads (kernel.decide + Command resume)`,
          latency: summarize(resumed.latencies),
          throughput: { value: perSecond(THREADS, resumed.wall), unit: 'threads/s' },
          notes: `all resumed in ${(resumed.wall / 1000).toFixed(1)} s; ${invoices.toLocaleString('en')} invoices, each exactly once; kernel.expireDue() (every settle) ${formatMs(sweepWaiting)} with ${THREADS.toLocaleString('en')} cards open, ${formatMs(sweepIdle)} with none`,
        },
      ];
    });
  },
};
