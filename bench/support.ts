import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createKeel, type Keel } from '../src/app.js';
import { nodePlatform } from '../src/platform/node.js';
import { WEB_SENDER } from '../src/bots/web/index.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/core/logger.js';
import type { Inbound } from '../src/graph/index.js';
import type { Summary } from './stats.js';
import { TEST_BUSINESS } from '../tests/support/db.js';

export { withBillingAddress } from '../tests/support/db.js';

/** One line of the results table. Fields a measurement has no meaning for stay empty. */
export interface Row {
  group: string;
  benchmark: string;
  latency?: Summary;
  throughput?: { value: number; unit: string };
  /** What this figure is measured against, in the same run (absolute times move between machines; ratios less). */
  baseline?: string;
  /** This figure over its baseline, with the target where the issue set one. */
  ratio?: string;
  notes?: string;
}

/** "1.23×": how many times its baseline a figure is. */
export const times = (value: number, baseline: number): string => `${(value / baseline).toFixed(2)}×`;

export type Progress = (message: string) => void;

/** A benchmark group: one module, run in sequence with the others in one process. */
export interface BenchGroup {
  name: string;
  run(progress: Progress): Promise<Row[]>;
}

/** Runs `work` with a fresh temp directory that is removed afterwards, whether or not it failed. */
export async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `keel-bench-${prefix}-`));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const databaseUrl = (dir: string): string => pathToFileURL(join(dir, 'keel.db')).href;

/** The settings of a benchmark Keel: its database and folders in `dir`, and the tests' seller (without one an invoice request gets the setup question, not a card). */
export const benchSettings = (dir: string): Record<string, string> => ({
  DATABASE_URL: databaseUrl(dir),
  FILES_DIR: join(dir, 'files'),
  OUTBOX_DIR: join(dir, 'outbox'),
  BUSINESS_PROFILE: TEST_BUSINESS,
});

/**
 * Runs `work` on Keel as createKeel wires it for `npm start`, with its database
 * and files in their own temp directory. The environment is not read, so an
 * OPENAI_API_KEY or SMTP_URL on the developer's machine cannot turn the run into
 * a benchmark of someone's network.
 */
export function withKeel<T>(prefix: string, work: (keel: Keel, dir: string) => Promise<T>): Promise<T> {
  return withTempDir(prefix, async (dir) => {
    const config = loadConfig(benchSettings(dir));
    const keel = await createKeel({ platform: nodePlatform, config, logger: silentLogger });
    try {
      return await work(keel, dir);
    } finally {
      keel.close();
    }
  });
}

/** An event from the operator's web seat, the sender every Keel accepts. */
export function operatorEvent(payload: Inbound['payload']): Inbound {
  return { transport: 'web', sender: WEB_SENDER, chat: 'web', eventId: randomUUID(), payload };
}

export const textEvent = (text: string): Inbound => operatorEvent({ kind: 'text', text });

/** The graph input conversation.ts sends for a new event. */
export const turnInput = (inbound: Inbound) => ({ inbound, replies: null, scratch: null });

export const threadConfig = (threadId: string) => ({ configurable: { thread_id: threadId } });

/** Wall time of `work` in milliseconds. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

export async function countRows(keel: Keel, sql: string): Promise<number> {
  const { rows } = await keel.storage.client.execute(sql);
  return Number(rows[0]?.[0]);
}

/** Fails the run rather than print numbers for work that did not happen as described. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`benchmark check failed: ${message}`);
}

/**
 * Runs each side's round in turn, round after round (round 1 of every side, then round 2…), so a machine whose
 * speed drifts during the run — a shared VM does — slows every side alike and their ratios hold still.
 */
export async function inTurns<S>(rounds: number, sides: readonly S[], run: (side: S, round: number) => Promise<void>): Promise<void> {
  for (let round = 0; round < rounds; round++) for (const side of sides) await run(side, round);
}
