import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { createKeel, type Keel } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { nodePlatform } from '../src/platform/node.js';
import { WEB_SENDER } from '../src/bots/web/index.js';
import { createChatModel, type ModelSettings } from '../src/agents/index.js';
import type { HandleResult, Outbound } from '../src/graph/index.js';

/** Where and when every eval case runs: a fixed "now" (Wednesday 2 December 2026, 09:00 UTC), so "next tuesday" has one answer. */
export const EVAL_NOW = '2026-12-02T09:00:00Z';
export const EVAL_TZ = 'UTC';
export const EVAL_CURRENCY = 'EUR';

/** The chat model under test: the offline model, or an OpenAI-compatible endpoint, chosen as Keel chooses it. */
export type ModelChoice = { kind: 'offline' } | { kind: 'endpoint'; baseURL?: string; apiKey?: string; model: string };

export const modelSettings = (choice: ModelChoice): ModelSettings =>
  choice.kind === 'offline'
    ? { model: 'offline', timeZone: EVAL_TZ, currency: EVAL_CURRENCY }
    : { baseURL: choice.baseURL, apiKey: choice.apiKey, model: choice.model, timeZone: EVAL_TZ, currency: EVAL_CURRENCY };

export interface EvalKeel {
  keel: Keel;
  clock: ManualClock;
  say(text: string): Promise<HandleResult>;
  tap(ref: string, decision?: 'approve' | 'reject'): Promise<HandleResult>;
  edit(ref: string): Promise<HandleResult>;
  close(): void;
}

/**
 * Keel as `npm start` builds it (createKeel, the graph, the kernel, libSQL), on
 * a database file in `dir`, driven through the conversation's one entrance
 * like the web chat transport. The model is the one given, so the eval can
 * count its calls; the environment is never read, so memory always embeds
 * locally and nothing but the model under test talks to the network.
 */
export async function openEvalKeel(dir: string, model: BaseChatModel, clock: ManualClock): Promise<EvalKeel> {
  const config = loadConfig({
    DATABASE_URL: pathToFileURL(join(dir, 'keel.db')).href,
    FILES_DIR: join(dir, 'files'),
    OUTBOX_DIR: join(dir, 'outbox'),
    TZ: EVAL_TZ,
    DEFAULT_CURRENCY: EVAL_CURRENCY,
    OPERATOR_NAME: 'Sam Solo',
  });
  const keel = await createKeel({ platform: nodePlatform, config, clock, model, logger: silentLogger });
  const event = (payload: unknown) => ({ transport: 'web', sender: WEB_SENDER, chat: 'web', eventId: randomUUID(), payload });
  return {
    keel,
    clock,
    say: (text) => keel.conversation.handle(event({ kind: 'text', text })),
    tap: (ref, decision = 'approve') => keel.conversation.handle(event({ kind: 'decision', ref, decision })),
    edit: (ref) => keel.conversation.handle(event({ kind: 'card_action', ref, action: 'edit' })),
    close: () => keel.close(),
  };
}

export const cardsIn = (replies: Outbound[]) => replies.flatMap((r) => (r.kind === 'card' ? [r.card] : []));
export const textIn = (replies: Outbound[]) => replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])).join('\n');

/**
 * The requests that build the fixture, each approved when it raises a card.
 * Seeded through the offline model with the clock in October, so the
 * invoices are weeks old by EVAL_NOW; the operator is a small business (no VAT) with every client's billing address known. Acme has one paid and one open invoice
 * at 150 EUR/h, Beta one open invoice of 1,800 EUR (its only one), Gamma
 * none; Acme and Beta each have a draft proposal, there are two open tasks and a project.
 */
const seed: { at: string; text: string }[] = [
  { at: '2026-10-01T09:00:00Z', text: 'Add Acme Corp as a client, contact dana@acme.test' },
  { at: '2026-10-01T09:01:00Z', text: 'new client Beta GmbH, contact Tom Berger tom@beta.test' },
  { at: '2026-10-01T09:02:00Z', text: 'new client Gamma Ltd, contact Sam Lee sam@gamma.test' },
  // Invoices need the seller's and the client's details; a small business charges no VAT, so the amounts below are also what is owed.
  {
    at: '2026-10-01T09:02:10Z',
    text: 'my business: Sam Solo Consulting, Hauptstr. 1, 10115 Berlin, Germany, IBAN DE89 3704 0044 0532 0130 00, payment terms 30 days, small business',
  },
  { at: '2026-10-01T09:02:20Z', text: "Acme Corp's billing address is Torstr. 5, 10119 Berlin, Germany" },
  { at: '2026-10-01T09:02:30Z', text: "Beta GmbH's billing address is Marienplatz 2, 80331 München, Germany" },
  { at: '2026-10-01T09:02:40Z', text: "Gamma Ltd's billing address is 10 Downing Street, SW1A 2AA London, United Kingdom" },
  { at: '2026-10-01T09:03:00Z', text: 'Invoice Acme 8 hours at 150 EUR for September consulting' },
  { at: '2026-10-01T09:04:00Z', text: 'mark invoice 2026-0001 as paid' },
  { at: '2026-10-15T09:00:00Z', text: 'Invoice Acme 10 hours at 150 EUR for October consulting' },
  { at: '2026-10-20T09:00:00Z', text: 'Invoice Beta GmbH 12 hours at 150 EUR for the data audit' },
  { at: '2026-11-02T09:00:00Z', text: 'draft a proposal for Beta GmbH: 2-day workshop, 16 hours at 150 EUR' },
  { at: '2026-11-02T09:01:00Z', text: 'draft a proposal for Acme Corp: website audit, 20 hours at 150 EUR' },
  { at: '2026-11-02T09:05:00Z', text: 'new project Website redesign for Acme' },
  { at: '2026-11-02T09:06:00Z', text: 'task: send the draft to Dana by Friday' },
  { at: '2026-11-02T09:07:00Z', text: 'add a task to renew the domain' },
  { at: '2026-11-02T09:08:00Z', text: 'remember that Dana prefers calls on Fridays' },
];

export interface Template {
  dir: string;
  /** Ids of the actions the fixture left in the ledger; a case's own actions are the others. */
  seededActions: Set<string>;
  remove(): void;
}

/**
 * Where the throwaway databases go: memory-backed /dev/shm where there is one
 * (it takes about a third off a run), the system temp folder otherwise.
 */
const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** Builds the seeded database once; each case then starts from a copy of it. */
export async function buildTemplate(): Promise<Template> {
  const dir = mkdtempSync(join(scratch, 'keel-eval-template-'));
  const clock = new ManualClock(seed[0]!.at);
  const model = createChatModel(modelSettings({ kind: 'offline' }), clock);
  const app = await openEvalKeel(dir, model, clock);
  try {
    for (const step of seed) {
      clock.set(step.at);
      const result = await app.say(step.text);
      for (const card of cardsIn(result.replies)) await app.tap(card.ref);
    }
    const actions = await app.keel.kernel.list({});
    const unsettled = actions.filter((a) => a.state !== 'succeeded');
    if (actions.length < seed.length || unsettled.length > 0) {
      throw new Error(
        `The eval fixture did not seed cleanly: ${actions.length} actions, unsettled: ${unsettled.map((a) => `${a.operation} ${a.state}`).join(', ')}`,
      );
    }
    return { dir, seededActions: new Set(actions.map((a) => a.id)), remove: () => rmSync(dir, { recursive: true, force: true }) };
  } finally {
    app.close();
  }
}

/** A fresh copy of the template's database in its own temp folder. */
export function copyTemplate(template: Template): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(scratch, 'keel-eval-case-'));
  for (const suffix of ['', '-wal', '-shm']) {
    const from = join(template.dir, `keel.db${suffix}`);
    if (existsSync(from)) copyFileSync(from, join(dir, `keel.db${suffix}`));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
