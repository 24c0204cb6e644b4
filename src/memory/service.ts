import type { Client } from '@libsql/client';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { noTracer, type Tracer } from '../core/tracing.js';
import type { Db } from '../storage/index.js';
import { createCompactor, type CompactionSettings, type Compactor } from './compaction.js';
import type { Embedder } from './embedding/index.js';
import { createIndexer, type Indexer } from './indexer.js';
import { createRecall, type Recall } from './recall.js';
import type { Summarizer } from './summarize.js';

export interface MemoryDeps {
  db: Db;
  client: Client;
  clock: Clock;
  logger: Logger;
  embedder: Embedder;
  compaction: CompactionSettings;
  /** How often the background round indexes changes and moves vectors to a new embedder. */
  indexIntervalMs: number;
  /** Writes compaction summaries; extractive (copied sentences) unless a model is configured. */
  summarizer?: Summarizer | undefined;
  /** A span per recall (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracer?: Tracer;
}

export interface Memory {
  /** Remembered things for a query, within the asking agent's scope. */
  recall: Recall;
  /** Indexes everything changed since the last round. */
  sync: Indexer['sync'];
  /** Moves every document to the current embedder, then drops the old vector tables. */
  reembed: Indexer['reembed'];
  /** Whether a thread's messages are due for compaction. */
  needsCompaction: Compactor['needed'];
  /** Replaces old messages by a durable summary; nothing is lost (the transcript keeps every message). */
  compact: Compactor['compact'];
  /** Indexes what changed while Keel was stopped, then keeps indexing in the background. */
  start(): void;
  /** Stops the background indexing. */
  stop(): void;
}

/** What agents and the graph use of memory: recall, compaction, and the background indexer. */
export function createMemory(deps: MemoryDeps): Memory {
  const { db, client, clock, logger } = deps;
  const indexer = createIndexer({ db, client, embedder: deps.embedder, logger });
  const recall = createRecall({ db, client, indexer, tracer: deps.tracer ?? noTracer });
  const compactor = createCompactor({ db, clock, settings: deps.compaction, summarize: deps.summarizer });
  let timer: ReturnType<typeof setInterval> | undefined;

  const round = () =>
    indexer
      .sync()
      .then(() => indexer.reembed())
      .catch((error: unknown) => logger.error('memory: background indexing failed; recall still indexes on demand', { error }));

  return {
    recall,
    sync: indexer.sync,
    reembed: indexer.reembed,
    needsCompaction: compactor.needed,
    compact: compactor.compact,
    /** Indexes what changed while Keel was stopped, then keeps indexing in the background. */
    start(): void {
      if (timer) return;
      void round();
      timer = setInterval(() => void round(), deps.indexIntervalMs);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
