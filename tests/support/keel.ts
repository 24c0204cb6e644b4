import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { loadConfig } from '../../src/config.js';
import { createKeel, type Keel } from '../../src/app.js';
import { nodePlatform } from '../../src/platform/node.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { HandleResult, Outbound } from '../../src/graph/index.js';
import { WEB_SENDER } from '../../src/bots/web/index.js';
import type { Mailbox } from '../../src/connectors/index.js';
import { TEST_BUSINESS, tempDatabase, withBillingAddress } from './db.js';

export { withBillingAddress };

export interface TestKeel extends Keel {
  /** Sends a message as the operator from the web chat. */
  say(text: string): Promise<HandleResult>;
  /** Taps a card button as the operator from the web chat. */
  tap(ref: string, decision?: 'approve' | 'reject'): Promise<HandleResult>;
  count(table: string): Promise<number>;
}

/** Keel as `npm start` builds it, on the given database, driven through the same entrance the transports use. */
export async function startKeel(opts: {
  url: string;
  clock?: Clock;
  model?: BaseChatModel;
  env?: Record<string, string>;
  mailbox?: Mailbox;
}): Promise<TestKeel> {
  // Files and mail go beside the test's database, never into the project's ./data.
  const folder = dirname(fileURLToPath(opts.url));
  const keel = await createKeel({
    platform: nodePlatform,
    config: loadConfig({
      DATABASE_URL: opts.url,
      FILES_DIR: join(folder, 'files'),
      OUTBOX_DIR: join(folder, 'outbox'),
      BUSINESS_PROFILE: TEST_BUSINESS,
      ...opts.env,
    }),
    clock: opts.clock,
    model: opts.model,
    logger: silentLogger,
    mailbox: opts.mailbox,
  });
  const event = (payload: unknown) => ({ transport: 'web', sender: WEB_SENDER, chat: 'web', eventId: randomUUID(), payload });
  return Object.assign(keel, {
    say: (text: string) => keel.conversation.handle(event({ kind: 'text', text })),
    tap: (ref: string, decision: 'approve' | 'reject' = 'approve') => keel.conversation.handle(event({ kind: 'decision', ref, decision })),
    async count(table: string) {
      const rows = await keel.storage.client.execute(`SELECT count(*) AS n FROM ${table}`);
      return Number(rows.rows[0]?.n);
    },
  });
}

export const cardsIn = (replies: Outbound[]) => replies.flatMap((r) => (r.kind === 'card' ? [r.card] : []));
export const textIn = (replies: Outbound[]) => replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])).join('\n');

/**
 * A fresh Keel on its own database, with Acme Corp (dana@acme.test, billing address in Berlin) already a client, for each test of the calling
 * suite (`per: 'test'`) or once for the whole suite (`per: 'suite'`); `use` receives it before the tests run.
 */
export function keelWithAcme(use: (keel: TestKeel) => void, opts: { per: 'test' | 'suite'; clock?: Clock }): void {
  const [before, after] = opts.per === 'test' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  let db: ReturnType<typeof tempDatabase> | undefined;
  let keel: TestKeel | undefined;
  before(async () => {
    db = tempDatabase();
    keel = await startKeel({ url: db.url, ...(opts.clock ? { clock: opts.clock } : {}) });
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    use(keel);
  });
  after(() => {
    keel?.close();
    db?.remove();
  });
}
