import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DETAILED_HISTORY_TURNS, LibSQLSaver, OPERATOR_THREAD } from '../src/graph/index.js';
import { loadConfig } from '../src/config.js';
import { formatMs, perSecond, summarize } from './stats.js';
import { check, countRows, textEvent, timed, times, withKeel, type BenchGroup, type Row } from './support.js';

/** The figure is over 10,000 turns; BENCH_COMPACTION_TURNS shortens a quick run. */
const TURNS = Number(process.env.BENCH_COMPACTION_TURNS ?? 10_000);
const SAMPLE_EVERY = 100;
/** CHECKPOINT_HISTORY_TURNS's default, which withKeel leaves in place. */
const DEFAULT_HISTORY_TURNS = loadConfig({}).CHECKPOINT_HISTORY_TURNS;
const filler = ['status', "what's overdue?", 'show invoices', 'remember that Acme prefers email'];

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/**
 * One operator thread for TURNS turns with compaction on (the defaults): the
 * latest checkpoint's state must stay bounded however long the thread lives,
 * and the stored history (kept for /history and /rewind) must stay within its
 * window (CHECKPOINT_HISTORY_TURNS, pruned every PRUNE_EVERY events). Its
 * baseline is the transcript: the same conversation, every message kept verbatim.
 */
export const compaction: BenchGroup = {
  name: 'compaction',
  async run(progress) {
    progress(`${TURNS.toLocaleString('en')} turns in one thread, compaction on`);
    return withKeel('compaction', async (keel, dir) => {
      const saver = new LibSQLSaver(keel.storage.sql);
      const state = async () => {
        const tuple = await saver.getTuple({ configurable: { thread_id: OPERATOR_THREAD } });
        const values = tuple!.checkpoint.channel_values as { messages: unknown[] };
        return { messages: values.messages.length, bytes: Buffer.byteLength(JSON.stringify(values)) };
      };
      const latencies: number[] = [];
      let peak = { messages: 0, bytes: 0 };
      for (let turn = 0; turn < TURNS; turn++) {
        latencies.push(
          await timed(async () => {
            const result = await keel.conversation.handle(textEvent(filler[turn % filler.length]!));
            check(result.status === 'handled', `turn ${turn} was ${result.status}`);
          }),
        );
        if ((turn + 1) % SAMPLE_EVERY === 0) {
          const now = await state();
          peak = { messages: Math.max(peak.messages, now.messages), bytes: Math.max(peak.bytes, now.bytes) };
        }
        if ((turn + 1) % 1000 === 0) progress(`  ${(turn + 1).toLocaleString('en')} turns`);
      }
      // The last round of pruning was queued behind the last turn.
      await keel.conversation.idle();
      const history = await countRows(
        keel,
        `SELECT (SELECT coalesce(sum(length(checkpoint) + length(metadata)), 0) FROM checkpoints WHERE thread_id = '${OPERATOR_THREAD}')
              + (SELECT coalesce(sum(length(blob)), 0) FROM checkpoint_blobs WHERE thread_id = '${OPERATOR_THREAD}')
              + (SELECT coalesce(sum(length(value)), 0) FROM checkpoint_writes WHERE thread_id = '${OPERATOR_THREAD}')`,
      );
      const transcript = await countRows(keel, 'SELECT coalesce(sum(length(body)), 0) FROM transcript');
      const checkpoints = await countRows(keel, `SELECT count(*) FROM checkpoints WHERE thread_id = '${OPERATOR_THREAD}'`);
      const files = await Promise.all(
        ['keel.db', 'keel.db-wal'].map((file) =>
          stat(join(dir, file)).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      );
      const database = files.reduce((a, b) => a + b, 0);
      const summaries = await countRows(keel, 'SELECT count(*) FROM memory_summaries');
      const tenth = Math.floor(latencies.length / 10);
      const first = summarize(latencies.slice(0, tenth)).median;
      const last = summarize(latencies.slice(-tenth)).median;
      const total = latencies.reduce((a, b) => a + b, 0);
      const rows: Row[] = [
        {
          group: 'Memory',
          benchmark: `checkpointed state of one thread over ${TURNS.toLocaleString('en')} turns, compaction on`,
          latency: summarize(latencies),
          throughput: { value: perSecond(latencies.length, total), unit: 'turns/s' },
          notes: `latest checkpoint peaked at ${peak.messages} messages, ${kib(peak.bytes)} (sampled every ${SAMPLE_EVERY} turns); ${summaries} summaries written; turn median first → last tenth ${formatMs(first)} → ${formatMs(last)}`,
        },
        {
          group: 'Memory',
          benchmark: `stored checkpoint history of that thread, per turn`,
          baseline: `transcript ${kib(transcript / TURNS)}/turn`,
          ratio: `${kib(history / TURNS)}/turn, ${times(history, transcript)} (target ≤ 2 KiB/turn)`,
          notes: `${mib(history)} in ${checkpoints.toLocaleString('en')} checkpoints: the last ${DEFAULT_HISTORY_TURNS} turns (the newest ${DETAILED_HISTORY_TURNS} step by step); database file ${mib(database)} after ${TURNS.toLocaleString('en')} turns`,
        },
      ];
      return rows;
    });
  },
};
