import { scopes } from '../src/agents/scopes.js';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { createMemory, hashedNgramEmbedder } from '../src/memory/index.js';
import { openStorage } from '../src/storage/index.js';
import { nodePlatform } from '../src/platform/node.js';
import { perSecond, summarize } from './stats.js';
import { check, databaseUrl, timed, withTempDir, type BenchGroup, type Row } from './support.js';

/**
 * Memory counts to measure. Writing and indexing 100k memories takes about a minute here, more
 * under load: the default run measures 10k and `BENCH_RECALL_SIZES=10000,100000` asks for both.
 */
const SIZES = (process.env.BENCH_RECALL_SIZES ?? '10000').split(',').map(Number);
const QUERIES = 200;
const WARMUP = 20;
const INSERT_BATCH = 1000;

const topics = ['workshop', 'retainer', 'audit', 'migration', 'training', 'roadmap', 'pricing', 'onboarding', 'strategy', 'review'];
const verbs = ['asked about', 'approved', 'wants to renegotiate', 'prefers calls about', 'postponed', 'paid for', 'questioned'];
const names = ['Acme', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta', 'Orion', 'Vega', 'Lyra', 'Nova'];

/** A deterministic stream of numbers in [0, 1), so every run indexes and asks the same texts. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function memoryText(i: number, random: () => number): string {
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  return `${pick(names)} ${i % 97} ${pick(verbs)} the ${pick(topics)}; invoice 2026-${String(i).padStart(5, '0')}, ${Math.floor(random() * 200) + 50} EUR per hour, contact ${pick(names).toLowerCase()}${i}@example.test`;
}

interface Labelled {
  text: string;
  /** Ids that answer the query; recall@10 is the share of them (of at most 10) in the top 10. */
  relevant: Set<string>;
}

/** Drops a letter from each longer word: the typos FTS cannot match and the n-gram vectors should. */
const typo = (phrase: string) => phrase.replace(/\b(\w{5,})\b/g, (word) => word.slice(0, 2) + word.slice(3));

/**
 * Queries with the memory ids that should come back, from the generator's own
 * texts: exact invoice numbers (one id each), loose phrases (every memory
 * naming that client, verb and topic) and the same phrases with typos.
 */
function labelledQueries(texts: string[], random: () => number): Labelled[] {
  const queries: Labelled[] = [];
  for (let q = 0; q < 20; q++) {
    const i = Math.floor(random() * texts.length);
    queries.push({ text: `invoice 2026-${String(i).padStart(5, '0')}`, relevant: new Set([`note_${i}`]) });
  }
  for (let q = 0; q < 10; q++) {
    const [name, verb, topic] = [names[q % names.length]!, verbs[(q * 3) % verbs.length]!, topics[(q * 7) % topics.length]!];
    const relevant = new Set(texts.flatMap((text, i) => (text.startsWith(`${name} `) && text.includes(` ${verb} the ${topic};`) ? [`note_${i}`] : [])));
    queries.push({ text: `${name} ${verb} the ${topic}`, relevant });
    queries.push({ text: typo(`${name} ${verb} the ${topic}`), relevant });
  }
  return queries;
}

/** Mean recall@10 over the labelled queries. */
async function recallAt10(memory: ReturnType<typeof createMemory>, queries: Labelled[]): Promise<number> {
  let sum = 0;
  for (const { text, relevant } of queries) {
    const hits = await memory.recall({ text, kinds: scopes.sales.memory, limit: 10 });
    const found = hits.filter((hit) => relevant.has(hit.id)).length;
    sum += found / Math.min(10, relevant.size);
  }
  return sum / queries.length;
}

/** Index build time, then recall top-10 latency, on `size` notes in a fresh libSQL file; usable alone for one size. */
export async function measureRecall(size: number, progress: (message: string) => void): Promise<Row[]> {
  return withTempDir(`recall-${size}`, async (dir) => {
    const storage = await openStorage({ url: databaseUrl(dir) }, nodePlatform);
    try {
      const clock = new ManualClock('2026-06-01T09:00:00Z');
      const random = seeded(size);
      progress(`recall: writing ${size.toLocaleString('en')} notes`);
      const texts = Array.from({ length: size }, (_, i) => memoryText(i, random));
      for (let start = 0; start < size; start += INSERT_BATCH) {
        const rows = Array.from({ length: Math.min(INSERT_BATCH, size - start) }, (_, j) => start + j);
        await storage.client.batch(
          rows.map((i) => ({
            sql: "INSERT INTO notes (id, kind, text, created_at) VALUES (?, 'note', ?, ?)",
            args: [`note_${i}`, texts[i]!, clock.now().getTime()],
          })),
          'write',
        );
      }
      const memory = createMemory({
        db: storage.db,
        client: storage.client,
        clock,
        logger: silentLogger,
        embedder: hashedNgramEmbedder,
        compaction: { after: 40, keep: 10, maxSummaryChars: 2000 },
        indexIntervalMs: 60_000,
      });
      progress(`recall: indexing ${size.toLocaleString('en')} memories (FTS5 + ${hashedNgramEmbedder.id} vectors)`);
      const build = await timed(() => memory.sync());
      const queries = Array.from({ length: WARMUP + QUERIES }, (_, i) =>
        i % 2
          ? `invoice 2026-${String(Math.floor(random() * size)).padStart(5, '0')}`
          : `${names[i % names.length]} ${verbs[i % verbs.length]} ${topics[i % topics.length]}s`,
      );
      const latencies: number[] = [];
      for (const [i, text] of queries.entries()) {
        let found = 0;
        const ms = await timed(async () => {
          found = (await memory.recall({ text, kinds: scopes.sales.memory, limit: 10 })).length;
        });
        check(found > 0, `recall found something for "${text}"`);
        if (i >= WARMUP) latencies.push(ms);
      }
      const quality = await recallAt10(memory, labelledQueries(texts, random));
      return [
        {
          group: 'recall',
          benchmark: `index build, ${size.toLocaleString('en')} memories`,
          throughput: { value: perSecond(size, build), unit: 'memories/s' },
          notes: `${(build / 1000).toFixed(1)} s in all: documents, FTS5 and vectors (${hashedNgramEmbedder.id}, 256 dims)`,
        },
        {
          group: 'recall',
          benchmark: `hybrid recall top-10, ${size.toLocaleString('en')} memories`,
          latency: summarize(latencies),
          notes: `recall@10 ${quality.toFixed(2)} over 40 labelled queries (exact invoice numbers, phrases, phrases with typos); timed: FTS5 (selective terms) + an exact scan of 8-bit vectors in process + client mentions, fused by RRF, half exact invoice numbers, half loose phrases`,
        },
      ];
    } finally {
      storage.close();
    }
  });
}

/** Hybrid recall at 10k and 100k memories: index build time and top-10 latency (p50/p99). */
export const recall: BenchGroup = {
  name: 'recall',
  async run(progress) {
    const rows: Row[] = [];
    for (const size of SIZES) rows.push(...(await measureRecall(size, progress)));
    return rows;
  },
};
