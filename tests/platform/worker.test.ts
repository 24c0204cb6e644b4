import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createClient, type Client } from '@libsql/client/web';
import { Miniflare } from 'miniflare';
import Stripe from 'stripe';
import TelegramServer from 'telegram-test-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHranaServer } from '../support/hrana-server.js';
import { freePort } from '../support/port.js';
import { fakeSlackApi, slackHeaders, waitFor } from '../bots/support.js';
import { startEmailApi } from '../connectors/email-api.js';
import { messageIdFor } from '../../src/connectors/index.js';

/**
 * Keel as deployed to Cloudflare Workers: `npm run build:worker` (wrangler's
 * dry-run bundle, no network), run in the real Workers runtime (Miniflare's
 * workerd from npm), on a remote libSQL database over HTTP, with Telegram
 * (telegram-test-api) and Slack (a recorded fake of the Web API — Slack has no
 * local emulator) answering locally, and email going to a local stand-in of
 * Resend's API (tests/connectors/email-api.ts). The database server is the Hrana stand-in
 * in tests/support/hrana-server.ts, because sqld is not installable here.
 */
const run = promisify(execFile);
const TOKEN = '123456:keel-worker-token';
const TELEGRAM_SECRET = 'worker-webhook-secret-0123';
const OPERATOR = 4242;
const SLACK_SECRET = 'slack-signing-secret';
const SLACK_OPERATOR = 'U0OPERATOR';
const DB_TOKEN = 'remote-db-token';
// Cloudflare's limit for a Worker's compressed size on the Free plan (10 MiB on paid plans).
const FREE_PLAN_LIMIT = 3 * 1024 * 1024;

type Sent = { message: { chat_id: number | string; text: string } };

const STRIPE_WEBHOOK_SECRET = 'whsec_workertestsecret';

describe('Keel on Cloudflare Workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-worker-'));
  let database: Awaited<ReturnType<typeof startHranaServer>>;
  let db: Client;
  let telegram: TelegramServer;
  let slack: Awaited<ReturnType<typeof fakeSlackApi>>;
  let emailApi: Awaited<ReturnType<typeof startEmailApi>>;
  let mf: Miniflare;
  let bundle: Buffer;
  let updateId = 1000;

  const sentTo = (chat: number) => (telegram.storage.botMessages as unknown as Sent[]).filter((m) => String(m.message.chat_id) === String(chat));
  const posted = () => slack.calls.filter((c) => c.method === 'chat.postMessage');
  const telegramUpdate = (text: string) =>
    JSON.stringify({
      update_id: ++updateId,
      message: {
        message_id: updateId,
        date: Math.floor(Date.now() / 1000),
        text,
        from: { id: OPERATOR, is_bot: false, first_name: 'Olga' },
        chat: { id: OPERATOR, type: 'private', first_name: 'Olga' },
      },
    });
  const slackEvent = (text: string) =>
    JSON.stringify({
      token: 'legacy',
      team_id: 'T0TEAM',
      api_app_id: 'A0KEEL',
      type: 'event_callback',
      event_id: `Ev${++updateId}`,
      event_time: 1_700_000_000,
      event: { type: 'message', channel_type: 'im', channel: 'D0OPERATOR', user: SLACK_OPERATOR, text, ts: `${1_700_000_000 + updateId}.000100` },
    });

  beforeAll(async () => {
    const outdir = join(dir, 'bundle');
    // What `npm run build:worker` does: bundle migrations/ into the source, then wrangler's dry run.
    await import('../../scripts/bundle-migrations.js');
    await run(join('node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    });
    bundle = readFileSync(join(outdir, 'worker.js'));

    database = await startHranaServer({ path: join(dir, 'keel.db'), authToken: DB_TOKEN });
    db = createClient({ url: database.url, authToken: DB_TOKEN });
    telegram = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 600 });
    await telegram.start();
    slack = await fakeSlackApi();
    emailApi = await startEmailApi();
    mf = new Miniflare({
      modules: true,
      scriptPath: join(outdir, 'worker.js'),
      modulesRoot: outdir,
      compatibilityDate: '2026-04-20',
      compatibilityFlags: ['nodejs_compat'],
      bindings: {
        DATABASE_URL: database.url,
        DATABASE_AUTH_TOKEN: DB_TOKEN,
        TZ: 'UTC',
        LOG_LEVEL: 'error',
        WEB_CHAT_TOKEN: 'web-chat-token-for-the-worker',
        DIGEST_TO: 'telegram,slack',
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_OPERATOR_IDS: String(OPERATOR),
        TELEGRAM_API_ROOT: telegram.config.apiURL,
        TELEGRAM_WEBHOOK_URL: 'https://keel.example.test/telegram/webhook',
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: SLACK_SECRET,
        SLACK_OPERATOR_IDS: SLACK_OPERATOR,
        SLACK_API_URL: slack.url,
        MAIL_FROM: 'Olga Operator <olga@keel.test>',
        EMAIL_API_KEY: emailApi.apiKey,
        EMAIL_API_URL: emailApi.url,
        STRIPE_WEBHOOK_SECRET: STRIPE_WEBHOOK_SECRET,
      },
    });
    await mf.ready;
  });

  afterAll(async () => {
    await mf?.dispose();
    db?.close();
    await database?.close();
    await telegram?.stop();
    await slack?.close();
    await emailApi?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds with wrangler into a bundle within the Free plan limit', () => {
    const gzipped = gzipSync(bundle).byteLength;
    console.info(`Worker bundle: ${(bundle.byteLength / 1024).toFixed(0)} KiB, ${(gzipped / 1024).toFixed(0)} KiB gzipped`);
    expect(gzipped).toBeLessThan(FREE_PLAN_LIMIT);
  });

  it('starts on the remote database, with every migration applied', async () => {
    const response = await mf.dispatchFetch('http://keel.example.test/healthz');
    expect(response.status).toBe(200);
    const journal = JSON.parse(readFileSync('migrations/meta/_journal.json', 'utf8')) as { entries: unknown[] };
    expect(await response.json()).toEqual({ status: 'ok', database: 'ready', migrations: journal.entries.length });
  });

  it('answers a Telegram webhook update carrying the secret, and refuses one without it', async () => {
    const unsigned = await mf.dispatchFetch('http://keel.example.test/telegram/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: telegramUpdate('/help'),
    });
    expect(unsigned.status).toBe(401);

    const response = await mf.dispatchFetch('http://keel.example.test/telegram/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
      body: telegramUpdate('Add Acme Corp as a client, contact dana@acme.test'),
    });
    expect(response.status).toBe(200);
    await waitFor('the Telegram reply', () => sentTo(OPERATOR).find((m) => /Acme Corp/.test(m.message.text)));
    expect(Number((await db.execute("SELECT count(*) AS n FROM clients WHERE name = 'Acme Corp'")).rows[0]?.n)).toBe(1);
  });

  it('sends an approved follow-up email through the email API, once, with the key-derived Message-ID', async () => {
    const webhook = (update: object) =>
      mf.dispatchFetch('http://keel.example.test/telegram/webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
        body: JSON.stringify(update),
      });
    const asked = JSON.parse(telegramUpdate('Follow up with Acme Corp about the workshop'));
    expect((await webhook(asked)).status).toBe(200);
    const card = await waitFor(
      'the follow-up card',
      async () => (await db.execute("SELECT card_ref, idempotency_key FROM actions WHERE operation = 'email.send' AND state = 'awaiting_approval'")).rows[0],
    );
    const tap = (id: number) => ({
      update_id: id,
      callback_query: {
        id: `cb${id}`,
        from: { id: OPERATOR, is_bot: false, first_name: 'Olga' },
        chat_instance: 'ci',
        data: `approve:${card.card_ref}`,
        message: {
          message_id: asked.message.message_id + 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: OPERATOR, type: 'private', first_name: 'Olga' },
          text: 'card',
        },
      },
    });
    const first = tap(++updateId);
    expect((await webhook(first)).status).toBe(200);
    const posted = await waitFor('the email at the API', () => emailApi.received[0]);
    expect(posted.body).toMatchObject({
      from: 'Olga Operator <olga@keel.test>',
      to: ['dana@acme.test'],
      subject: 'Following up: the workshop',
      headers: { 'Message-ID': await messageIdFor(String(card.idempotency_key)) },
    });
    expect(posted.headers['idempotency-key']).toBe(card.idempotency_key);
    await waitFor(
      'the action to succeed',
      async () => (await db.execute("SELECT state FROM actions WHERE operation = 'email.send'")).rows[0]?.state === 'succeeded',
    );

    // Telegram re-delivers the tap, and the operator taps again: still one email.
    expect((await webhook(first)).status).toBe(200);
    expect((await webhook(tap(++updateId))).status).toBe(200);
    const [row] = (await db.execute('SELECT status, via FROM outbox_emails')).rows;
    expect(row).toMatchObject({ status: 'sent', via: 'api' });
    expect(emailApi.received).toHaveLength(1);
  });

  it("serves client pages and checks Stripe's signature with Web Crypto", async () => {
    const forged = await mf.dispatchFetch(`http://keel.example.test/c/${'A'.repeat(43)}`);
    expect(forged.status).toBe(404);
    expect(forged.headers.get('x-frame-options')).toBe('DENY');
    const payload = JSON.stringify({ id: 'evt_worker', object: 'event', type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer' } } });
    const unsigned = await mf.dispatchFetch('http://keel.example.test/stripe/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    expect(unsigned.status).toBe(400);
    const header = await Stripe.webhooks.generateTestHeaderStringAsync({
      payload,
      secret: STRIPE_WEBHOOK_SECRET,
      cryptoProvider: Stripe.createSubtleCryptoProvider(),
    });
    const signed = await mf.dispatchFetch('http://keel.example.test/stripe/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      body: payload,
    });
    expect(signed.status).toBe(200);
    expect((await db.execute("SELECT count(*) AS n FROM stripe_events WHERE id = 'evt_worker' AND handled_at IS NOT NULL")).rows[0]!.n).toBe(1);
  });

  it('answers a signed Slack event after the ack, and refuses a forged one', async () => {
    const forgedBody = slackEvent('help');
    const forged = await mf.dispatchFetch('http://keel.example.test/slack/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...slackHeaders('not-the-secret', forgedBody) },
      body: forgedBody,
    });
    expect(forged.status).toBe(401);

    const body = slackEvent('help');
    const response = await mf.dispatchFetch('http://keel.example.test/slack/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...slackHeaders(SLACK_SECRET, body) },
      body,
    });
    expect(response.status).toBe(200);
    const reply = await waitFor('the Slack reply', () => posted().find((c) => c.params.channel === 'D0OPERATOR'));
    expect(String(reply.params.text)).not.toBe('');
  });

  it('sends the digest from a Cron Trigger once it is due, once when two ticks run at the same time', async () => {
    await db.execute({ sql: "UPDATE scheduled_jobs SET next_run_at = ? WHERE name = 'daily-digest'", args: [Date.now() - 60_000] });
    // Miniflare's Fetcher type comes from workers-types, which Keel does not install; this is its scheduled() as documented.
    const worker = (await mf.getWorker()) as unknown as { scheduled(options: { cron: string }): Promise<{ outcome: string }> };
    // Each tick recovers (leases keep it off live work) and then claims what is due: one of the two wins the digest.
    const results = await Promise.all([worker.scheduled({ cron: '* * * * *' }), worker.scheduled({ cron: '* * * * *' })]);
    expect(results.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    const digest = await waitFor('the digest on Telegram', () => sentTo(OPERATOR).find((m) => /Digest for/.test(m.message.text)));
    expect(digest.message.text).toContain('Digest for');
    await waitFor('the digest on Slack', () => posted().find((c) => c.params.channel === SLACK_OPERATOR && /Digest for/.test(JSON.stringify(c.params))));
    const [job] = (await db.execute("SELECT last_outcome, claimed_by FROM scheduled_jobs WHERE name = 'daily-digest'")).rows;
    expect(job).toMatchObject({ last_outcome: 'ok', claimed_by: null });
    expect(sentTo(OPERATOR).filter((m) => /Digest for/.test(m.message.text))).toHaveLength(1);
    const [sends] = (await db.execute("SELECT count(*) AS n FROM actions WHERE idempotency_key LIKE 'digest:%'")).rows;
    expect(Number(sends?.n)).toBe(1);
  });
});
