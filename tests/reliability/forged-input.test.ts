import TelegramServer from 'telegram-test-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createKeel, type Keel } from '../../src/app.js';
import { nodePlatform } from '../../src/platform/node.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDatabase } from '../support/db.js';
import { freePort } from '../support/port.js';
import { cardsIn, withBillingAddress } from '../support/keel.js';
import { fakeSlackApi, slackHeaders, waitFor } from '../bots/support.js';

/**
 * Forged, foreign and broken input on every door Keel opens: the Slack events
 * endpoint, the Telegram webhook, and the web chat served beyond localhost
 * with a token. Each case must be refused with a 4xx or answered with a clear
 * chat message, and must write nothing: no action, no inbox row, no
 * checkpoint, no transcript, no invoice, no email, and no audit entry other
 * than the "unauthorized" record Keel keeps of every stranger's attempt.
 */

const TOKEN = '123456:keel-forged-input';
const TG_SECRET = 'webhook-secret-0123456789abcdef';
const SLACK_SECRET = 'slack-signing-secret-for-tests';
const WEB_TOKEN = 'web-chat-token-0123456789';
const OPERATOR_TG = 4242;
const STRANGER_TG = 999;

type Case = { door: string; what: string; send: () => Response | Promise<Response>; status: number | number[]; said?: RegExp };

describe('forged and malformed input is refused and writes nothing', () => {
  let telegram: TelegramServer;
  let slackApi: Awaited<ReturnType<typeof fakeSlackApi>>;
  let keel: Keel;
  let db: ReturnType<typeof tempDatabase>;
  let ref: string;
  let n = 0;

  const count = async (table: string, where = 'true') =>
    Number((await keel.storage.client.execute(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0]?.n);
  const snapshot = async () => ({
    actions: await count('actions'),
    decided: await count('actions', 'decided_at IS NOT NULL'),
    inbox: await count('inbox'),
    checkpoints: await count('checkpoints'),
    transcript: await count('transcript'),
    invoices: await count('invoices'),
    emails: await count('outbox_emails'),
    audit: await count('audit_log', "event <> 'unauthorized'"),
  });

  const request = (path: string, init: { body: string; headers?: Record<string, string> }) =>
    keel.http.request(path, { method: 'POST', body: init.body, headers: { host: 'keel.example.test', ...init.headers } });

  // Telegram ------------------------------------------------------------------
  const tgFrom = (id: number) => ({ id, is_bot: false, first_name: id === OPERATOR_TG ? 'Olga' : 'Mallory' });
  const tgMessage = (text: string, from = STRANGER_TG) => ({
    update_id: ++n + 10_000,
    message: { message_id: n, date: 1_700_000_000, chat: { id: from, type: 'private', first_name: 'x' }, from: tgFrom(from), text },
  });
  const tgTap = (data: string, from = STRANGER_TG) => ({
    update_id: ++n + 10_000,
    callback_query: {
      id: `cb${n}`,
      from: tgFrom(from),
      chat_instance: 'ci',
      data,
      message: { message_id: 1, date: 1_700_000_000, chat: { id: from, type: 'private', first_name: 'x' }, text: 'card' },
    },
  });
  const tg = (body: unknown, opts: { secret?: string | null; contentType?: string } = {}) =>
    request('/telegram/webhook', {
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: {
        'content-type': opts.contentType ?? 'application/json',
        ...(opts.secret === null ? {} : { 'x-telegram-bot-api-secret-token': opts.secret ?? TG_SECRET }),
      },
    });

  // Slack ---------------------------------------------------------------------
  const slackEvent = (text: string, user = 'U0STRANGER') =>
    JSON.stringify({
      token: 'legacy',
      team_id: 'T0TEAM',
      api_app_id: 'A0KEEL',
      type: 'event_callback',
      event_id: `EvForged${++n}`,
      event_time: 1_700_000_000,
      event: { type: 'message', channel_type: 'im', channel: 'D0X', user, text, ts: `${1_700_000_000 + n}.000100` },
    });
  const slackClick = (actionId: string, value: string, user = 'U0STRANGER') =>
    `payload=${encodeURIComponent(
      JSON.stringify({
        type: 'block_actions',
        user: { id: user, username: 'x', team_id: 'T0TEAM' },
        api_app_id: 'A0KEEL',
        token: 'legacy',
        team: { id: 'T0TEAM', domain: 'test' },
        trigger_id: `trigger-${++n}`,
        container: { type: 'message', message_ts: '1.1', channel_id: 'D0X', is_ephemeral: false },
        channel: { id: 'D0X', name: 'directmessage' },
        message: { type: 'message', ts: '1.1', text: 'card' },
        actions: [{ type: 'button', action_id: actionId, block_id: 'decision', value, action_ts: '1.2', text: { type: 'plain_text', text: actionId } }],
      }),
    )}`;
  const slack = (
    body: string,
    opts: { secret?: string; timestamp?: number; contentType?: string; unsigned?: boolean; tamper?: (b: string) => string } = {},
  ) => {
    const signature = opts.unsigned ? {} : slackHeaders(opts.secret ?? SLACK_SECRET, body, opts.timestamp);
    const contentType = opts.contentType ?? (body.startsWith('payload=') ? 'application/x-www-form-urlencoded' : 'application/json');
    return request('/slack/events', { body: opts.tamper ? opts.tamper(body) : body, headers: { 'content-type': contentType, ...signature } });
  };

  // Web chat --------------------------------------------------------------------
  // The session cookie the browser got for opening the chat with ?token= (the token itself is never a cookie).
  let session = '';
  const web = (path: string, body: string, opts: { cookie?: string | null; contentType?: string; keelHeader?: boolean } = {}) =>
    request(path, {
      body,
      headers: {
        'content-type': opts.contentType ?? 'application/json',
        ...(opts.keelHeader === false ? {} : { 'x-keel': '1' }),
        ...(opts.cookie === null ? {} : { cookie: `keel_web=${opts.cookie ?? session}` }),
      },
    });
  const uuid = () => crypto.randomUUID();

  beforeAll(async () => {
    telegram = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 600 });
    await telegram.start();
    slackApi = await fakeSlackApi();
    db = tempDatabase('keel-forged-');
    keel = await createKeel({
      platform: nodePlatform,
      config: loadConfig({
        ...db.env,
        WEB_CHAT_TOKEN: WEB_TOKEN,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_OPERATOR_IDS: String(OPERATOR_TG),
        TELEGRAM_API_ROOT: telegram.config.apiURL,
        TELEGRAM_WEBHOOK_URL: 'https://keel.example.test/telegram/webhook',
        TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: SLACK_SECRET,
        SLACK_OPERATOR_IDS: 'U0OPERATOR',
        SLACK_API_URL: slackApi.url,
      }),
      logger: silentLogger,
    });
    await keel.recover();
    await keel.startBots();
    const entered = await keel.http.request(`/?token=${WEB_TOKEN}`, { headers: { host: 'keel.example.test' } });
    session = /keel_web=([^;]+)/.exec(entered.headers.get('set-cookie') ?? '')![1]!;
    // The operator's real card, the target of every forged tap.
    const say = (text: string) =>
      keel.conversation.handle({ transport: 'web', sender: 'web:operator', chat: 'web', eventId: uuid(), payload: { kind: 'text', text } });
    await say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    const [card] = cardsIn((await say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    ref = card!.ref;
  }, 60_000);

  afterAll(async () => {
    await keel?.stopBots();
    keel?.close();
    await telegram?.stop();
    await slackApi?.close();
    db?.remove();
  });

  it('refuses every forged, foreign or broken request', async () => {
    const huge = 'x'.repeat(2 * 1024 * 1024);
    const cases: Case[] = [
      // Slack: the signature is the only proof a request came from Slack.
      {
        door: 'slack',
        what: 'signed with the wrong secret',
        send: () => slack(slackEvent('Invoice Acme 99 hours', 'U0OPERATOR'), { secret: 'not-the-secret' }),
        status: 401,
      },
      {
        door: 'slack',
        what: 'replayed 6 minutes later',
        send: () => slack(slackEvent('Invoice Acme 99 hours', 'U0OPERATOR'), { timestamp: Math.floor(Date.now() / 1000) - 360 }),
        status: 401,
      },
      {
        door: 'slack',
        what: 'dated 6 minutes ahead',
        send: () => slack(slackEvent('Invoice Acme 99 hours', 'U0OPERATOR'), { timestamp: Math.floor(Date.now() / 1000) + 360 }),
        status: 401,
      },
      { door: 'slack', what: 'unsigned', send: () => slack(slackEvent('Invoice Acme 99 hours', 'U0OPERATOR'), { unsigned: true }), status: 401 },
      {
        door: 'slack',
        what: 'body changed after signing',
        send: () => slack(slackEvent('Invoice Acme 1 hours', 'U0OPERATOR'), { tamper: (b) => b.replace('1 hours', '99 hours') }),
        status: 401,
      },
      { door: 'slack', what: 'operator click, unsigned', send: () => slack(slackClick('approve', ref, 'U0OPERATOR'), { unsigned: true }), status: 401 },
      { door: 'slack', what: 'signed JSON garbage', send: () => slack('{"type": "event_callback", "event": '), status: 400 },
      { door: 'slack', what: 'signed form with a garbage payload', send: () => slack('payload=%7Bnot-json'), status: 400 },
      { door: 'slack', what: 'signed, wrong content type', send: () => slack(slackEvent('hello', 'U0OPERATOR'), { contentType: 'text/plain' }), status: 415 },
      { door: 'slack', what: 'a 2 MB body', send: () => slack(JSON.stringify({ type: 'event_callback', blob: huge })), status: 413 },
      { door: 'slack', what: 'stranger DM', send: () => slack(slackEvent('Invoice Acme 99 hours at 500 EUR')), status: 200 },
      { door: 'slack', what: 'stranger taps Approve', send: () => slack(slackClick('approve', ref)), status: 200 },
      {
        door: 'slack',
        what: 'operator taps a button with a forged value',
        send: () => slack(slackClick('approve', 'x'.repeat(300), 'U0OPERATOR')),
        status: 200,
      },
      { door: 'slack', what: 'operator taps an unknown action', send: () => slack(slackClick('pay_everything', ref, 'U0OPERATOR')), status: 200 },
      // Telegram webhook: the secret token header is the only proof.
      { door: 'telegram', what: 'no secret token', send: () => tg(tgMessage('Invoice Acme 99 hours', OPERATOR_TG), { secret: null }), status: 401 },
      {
        door: 'telegram',
        what: 'wrong secret token',
        send: () => tg(tgMessage('Invoice Acme 99 hours', OPERATOR_TG), { secret: 'wrong-secret-0123456789abcdef00' }),
        status: 401,
      },
      {
        door: 'telegram',
        what: 'a prefix of the secret',
        send: () => tg(tgTap(`approve:${ref}`, OPERATOR_TG), { secret: TG_SECRET.slice(0, -1) }),
        status: 401,
      },
      { door: 'telegram', what: 'JSON garbage', send: () => tg('{"update_id": 1, "message": '), status: 400 },
      { door: 'telegram', what: 'not an update', send: () => tg({ hello: 'world' }), status: [200, 400] },
      {
        door: 'telegram',
        what: 'wrong content type',
        send: () => tg(JSON.stringify(tgMessage('Invoice Acme 99 hours', OPERATOR_TG)).replace(/Invoice Acme 99 hours/, 'hi'), { contentType: 'text/plain' }),
        status: 415,
      },
      { door: 'telegram', what: 'a 2 MB body', send: () => tg(tgMessage(huge)), status: 413 },
      { door: 'telegram', what: 'stranger message', send: () => tg(tgMessage('Invoice Acme 99 hours at 500 EUR')), status: 200 },
      { door: 'telegram', what: 'stranger taps Approve', send: () => tg(tgTap(`approve:${ref}`)), status: 200 },
      { door: 'telegram', what: 'operator taps bad button data', send: () => tg(tgTap('approve:../../etc', OPERATOR_TG)), status: 200 },
      { door: 'telegram', what: 'operator taps unknown button data', send: () => tg(tgTap('pay:everything', OPERATOR_TG)), status: 200 },
      // Web chat beyond localhost: the token cookie is the only proof.
      {
        door: 'web',
        what: 'message without the token cookie',
        send: () => web('/api/messages', JSON.stringify({ id: uuid(), text: 'Invoice Acme 99 hours' }), { cookie: null }),
        status: 401,
      },
      {
        door: 'web',
        what: 'message with a wrong token',
        send: () => web('/api/messages', JSON.stringify({ id: uuid(), text: 'Invoice Acme 99 hours' }), { cookie: 'guess' }),
        status: 401,
      },
      {
        door: 'web',
        what: 'message with the raw token as cookie',
        send: () => web('/api/messages', JSON.stringify({ id: uuid(), text: 'Invoice Acme 99 hours' }), { cookie: WEB_TOKEN }),
        status: 401,
      },
      {
        door: 'web',
        what: 'tap without the token cookie',
        send: () => web('/api/decisions', JSON.stringify({ id: uuid(), action: `approve:${ref}` }), { cookie: null }),
        status: 401,
      },
      {
        door: 'web',
        what: 'cross-site form post',
        send: () => web('/api/decisions', `id=${uuid()}&action=approve:${ref}`, { contentType: 'application/x-www-form-urlencoded', keelHeader: false }),
        status: 403,
      },
      { door: 'web', what: 'JSON garbage', send: () => web('/api/messages', '{"id": '), status: 400 },
      {
        door: 'web',
        what: 'id that is not a UUID',
        send: () => web('/api/messages', JSON.stringify({ id: '1; DROP TABLE actions', text: 'hi' })),
        status: 400,
      },
      {
        door: 'web',
        what: 'text over the limit',
        send: () => web('/api/messages', JSON.stringify({ id: uuid(), text: 'x'.repeat(4001) })),
        status: [400, 413],
      },
      { door: 'web', what: 'a 2 MB body', send: () => web('/api/messages', JSON.stringify({ id: uuid(), text: huge })), status: 413 },
      { door: 'web', what: 'empty message', send: () => web('/api/messages', JSON.stringify({ id: uuid(), text: '   ' })), status: 422, said: /empty/ },
      {
        door: 'web',
        what: 'bad button data',
        send: () => web('/api/decisions', JSON.stringify({ id: uuid(), action: 'approve:' })),
        status: 400,
        said: /not a card button/,
      },
      {
        door: 'web',
        what: 'button data for another action',
        send: () => web('/api/decisions', JSON.stringify({ id: uuid(), action: 'pay:everything' })),
        status: 400,
      },
    ];

    const before = await snapshot();
    const unauthorizedBefore = await count('audit_log', "event = 'unauthorized'");
    const results: { c: Case; status: number; ok: boolean; wrote: string[] }[] = [];
    for (const c of cases) {
      const was = await snapshot();
      const response = await c.send();
      const body = await response.text();
      // Slack's listeners work after the ack; wait until they are done before looking at the database.
      await keel.settled();
      const now = await snapshot();
      const wrote = Object.keys(now).filter((k) => now[k as keyof typeof now] !== was[k as keyof typeof was]);
      const allowed = Array.isArray(c.status) ? c.status : [c.status];
      const ok = allowed.includes(response.status) && (!c.said || c.said.test(body)) && wrote.length === 0;
      results.push({ c, status: response.status, ok, wrote });
    }
    console.log(
      `forged input: ${cases.length} requests tried, ${results.filter((r) => r.ok).length} refused with nothing written\n${results
        .map(
          (r) =>
            `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.c.door.padEnd(8)} ${r.c.what.padEnd(45)} → ${r.status}${r.wrote.length ? ` wrote ${r.wrote.join(', ')}` : ''}`,
        )
        .join('\n')}`,
    );
    expect(results.filter((r) => !r.ok).map((r) => `${r.c.door}: ${r.c.what} → ${r.status} ${r.wrote.join(',')}`)).toEqual([]);

    // Nothing written, whatever came in; each stranger's attempt is audited as unauthorized (and only that).
    expect(await snapshot()).toEqual(before);
    expect(await count('audit_log', "event = 'unauthorized'")).toBe(unauthorizedBefore + 4);
    expect((await keel.kernel.byRef(ref))?.state).toBe('awaiting_approval');
    // The strangers were told plainly, in their own app.
    expect(telegram.storage.botMessages.map((m) => (m as { message: { text: string } }).message.text)).toContain('Sorry, this Keel answers only its operator.');
    expect(slackApi.calls.filter((c) => c.method === 'chat.postEphemeral').map((c) => c.params.text)).toContain('Sorry, this Keel answers only its operator.');
  }, 120_000);
});
