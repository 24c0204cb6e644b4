import { createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import TelegramServer from 'telegram-test-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createKeel, type Keel } from '../../src/app.js';
import { nodePlatform } from '../../src/platform/node.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ApprovalCard, Outbound } from '../../src/graph/index.js';
import { renderSlack, renderTelegram, renderWeb, TELEGRAM_LIMIT } from '../../src/bots/presenter/index.js';
import { tempDatabase } from '../support/db.js';
import { freePort } from '../support/port.js';
import { serveOnLoopback } from '../support/serve.js';
import { startKeel, textIn, withBillingAddress, type TestKeel } from '../support/keel.js';
import { fakeSlackApi, slackHeaders } from '../bots/support.js';

/**
 * Probes from outside, as an attacker would: where replies and sign-in links
 * go, who counts as local behind a proxy, what a removed operator keeps, what
 * strangers and floods cost, output encoding at the limits, cookies, and
 * malformed bodies that used to answer 500. Framing is checked in Chromium
 * (framing.test.ts).
 */

const TG_TOKEN = '123456:keel-security';
const TG_SECRET = 'webhook-secret-0123456789abcdef';
const SLACK_SECRET = 'slack-signing-secret-for-tests';
const WEB_TOKEN = 'web-chat-token-0123456789';
const OPERATOR_TG = 4242;
const STRANGER_TG = 999;
const UNLISTED_GROUP = -100555;
const LISTED_GROUP = -100777;

const linkIn = (text: string) => /https?:\/\/\S+\/workspace\/login\?t=(\S+)/.exec(text)?.[1];
const workspaceCookieOf = (res: Response) => /keel_workspace=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
const formTokenIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];
const count = async (keel: Keel, table: string, where = 'true') =>
  Number((await keel.storage.client.execute(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0]?.n);

describe('1 · replies, cards and sign-in links go only where the operator may see them', () => {
  let telegram: TelegramServer;
  let slackApi: Awaited<ReturnType<typeof fakeSlackApi>>;
  let keel: Keel;
  const db = tempDatabase('keel-where-');
  let n = 0;

  beforeAll(async () => {
    telegram = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 600 });
    await telegram.start();
    slackApi = await fakeSlackApi();
    keel = await createKeel({
      platform: nodePlatform,
      config: loadConfig({
        ...db.env,
        TELEGRAM_BOT_TOKEN: TG_TOKEN,
        TELEGRAM_OPERATOR_IDS: String(OPERATOR_TG),
        TELEGRAM_CHAT_IDS: String(LISTED_GROUP),
        TELEGRAM_API_ROOT: telegram.config.apiURL,
        TELEGRAM_WEBHOOK_URL: 'https://keel.example.test/telegram/webhook',
        TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: SLACK_SECRET,
        SLACK_OPERATOR_IDS: 'U0OPERATOR',
        SLACK_CHANNEL_IDS: 'C0TEAM',
        SLACK_API_URL: slackApi.url,
      }),
      logger: silentLogger,
    });
    await keel.recover();
    await keel.startBots();
    await keel.conversation.handle({
      transport: 'web',
      sender: 'web:operator',
      chat: 'web',
      eventId: crypto.randomUUID(),
      payload: { kind: 'text', text: 'Add Acme Corp as a client, contact dana@acme.test' },
    });
    await withBillingAddress(keel, 'Acme Corp');
  }, 60_000);
  afterAll(async () => {
    await keel?.stopBots();
    keel?.close();
    await telegram?.stop();
    await slackApi?.close();
    db.remove();
  });

  const inGroup = (chat: number, text: string, from = OPERATOR_TG) =>
    keel.http.request('/telegram/webhook', {
      method: 'POST',
      headers: { host: 'keel.example.test', 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET },
      body: JSON.stringify({
        update_id: 50_000 + ++n,
        message: {
          message_id: n,
          date: 1_700_000_000,
          chat: { id: chat, type: 'supergroup', title: 'Team' },
          from: { id: from, is_bot: false, first_name: 'Olga' },
          text,
        },
      }),
    });
  const tgSent = () => telegram.storage.botMessages.map((m) => m.message as { chat_id: string | number; text: string; reply_markup?: unknown });
  const sentTo = (chat: number) => tgSent().filter((m) => String(m.chat_id) === String(chat));

  const mention = async (channel: string, text: string) => {
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'T0TEAM',
      api_app_id: 'A0KEEL',
      type: 'event_callback',
      event_id: `EvWhere${++n}`,
      event_time: 1_700_000_000,
      event: { type: 'app_mention', channel, user: 'U0OPERATOR', text: `<@UKEEL> ${text}`, ts: `${1_700_000_000 + n}.000100` },
    });
    const res = await keel.http.request('/slack/events', {
      method: 'POST',
      headers: { host: 'keel.example.test', 'content-type': 'application/json', ...slackHeaders(SLACK_SECRET, body) },
      body,
    });
    await keel.settled();
    return res;
  };
  const slackPosts = (channel: string) => slackApi.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === channel);

  it('Telegram: /workspace in a group sends the link privately and says so in the group', async () => {
    expect((await inGroup(UNLISTED_GROUP, '/workspace')).status).toBe(200);
    expect(sentTo(UNLISTED_GROUP).map((m) => m.text)).toEqual(['I sent you the answer in our private chat.']);
    expect(
      linkIn(
        sentTo(OPERATOR_TG)
          .map((m) => m.text)
          .join('\n'),
      ),
    ).toBeTruthy();
    // Even in a group the operator listed, a sign-in link never goes there.
    await inGroup(LISTED_GROUP, '/workspace');
    expect(sentTo(LISTED_GROUP).some((m) => linkIn(m.text))).toBe(false);
    expect(sentTo(OPERATOR_TG).filter((m) => linkIn(m.text))).toHaveLength(2);
  });

  it('Telegram: cards and client data go into a group only when TELEGRAM_CHAT_IDS lists it', async () => {
    await inGroup(UNLISTED_GROUP, 'Invoice Acme 10 hours at 150 EUR for October consulting');
    expect(sentTo(UNLISTED_GROUP).some((m) => /Acme|EUR/.test(m.text) || m.reply_markup)).toBe(false);
    expect(sentTo(OPERATOR_TG).some((m) => /Acme/.test(m.text) && m.reply_markup)).toBe(true);
    await inGroup(LISTED_GROUP, 'Invoice Acme 3 hours at 150 EUR for November consulting');
    expect(sentTo(LISTED_GROUP).some((m) => /Acme/.test(m.text) && m.reply_markup)).toBe(true);
  });

  it('Slack: a mention in a public channel answers in the DM, with a note only the operator sees', async () => {
    await mention('C0PUBLIC', '/workspace');
    await mention('C0PUBLIC', 'Invoice Acme 2 hours at 150 EUR for December consulting');
    expect(slackPosts('C0PUBLIC')).toEqual([]);
    const dm = slackPosts('U0OPERATOR');
    expect(dm.some((c) => linkIn(String(c.params.text)))).toBe(true);
    expect(dm.some((c) => Array.isArray(c.params.blocks) && /Acme/.test(String(c.params.text)))).toBe(true);
    const notes = slackApi.calls.filter((c) => c.method === 'chat.postEphemeral' && c.params.channel === 'C0PUBLIC');
    expect(notes.map((c) => [c.params.user, c.params.text])).toEqual(Array(2).fill(['U0OPERATOR', 'I sent you the answer in our private chat.']));
  });

  it('Slack: a listed channel gets cards, never a sign-in link', async () => {
    await mention('C0TEAM', 'Invoice Acme 4 hours at 150 EUR for January consulting');
    await mention('C0TEAM', '/workspace');
    expect(slackPosts('C0TEAM').some((c) => Array.isArray(c.params.blocks))).toBe(true);
    expect(slackPosts('C0TEAM').some((c) => linkIn(String(c.params.text)))).toBe(false);
    expect(slackPosts('U0OPERATOR').filter((c) => linkIn(String(c.params.text)))).toHaveLength(2);
  });

  it('6 · a stranger flooding Telegram gets a few refusals, then silence, and writes a bounded audit trail', async () => {
    const audited = await count(keel, 'audit_log', "event = 'unauthorized'");
    const before = sentTo(STRANGER_TG).length;
    const started = Date.now();
    for (let i = 0; i < 500; i++) {
      const res = await keel.http.request('/telegram/webhook', {
        method: 'POST',
        headers: { host: 'keel.example.test', 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET },
        body: JSON.stringify({
          update_id: 90_000 + i,
          message: {
            message_id: i,
            date: 1_700_000_000,
            chat: { id: STRANGER_TG, type: 'private', first_name: 'Mallory' },
            from: { id: STRANGER_TG, is_bot: false, first_name: 'Mallory' },
            text: `invoice everyone ${i}`,
          },
        }),
      });
      expect(res.status).toBe(200);
    }
    const replies = sentTo(STRANGER_TG).length - before;
    const rows = (await count(keel, 'audit_log', "event = 'unauthorized'")) - audited;
    console.log(`stranger flood: 500 messages in ${Date.now() - started} ms → ${replies} replies, ${rows} audit rows`);
    // Three refusals (REFUSALS_BEFORE_QUIET), then quiet.
    expect(replies).toBe(3);
    expect(rows).toBe(3);
  }, 120_000);

  it('8 · a signed Telegram body of null is a bad request, not a crash', async () => {
    for (const body of ['null', '42', '[]']) {
      const res = await keel.http.request('/telegram/webhook', {
        method: 'POST',
        headers: { host: 'keel.example.test', 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET },
        body,
      });
      expect([body, res.status]).toEqual([body, 400]);
    }
  });
});

/** A reverse proxy as nginx runs one: `proxy_pass http://127.0.0.1:PORT` rewrites Host to the upstream, and the usual `proxy_set_header` lines add X-Real-IP and X-Forwarded-*. */
async function nginxLikeProxy(upstream: string, opts: { forwardedHeaders: boolean }): Promise<{ base: string; close: () => Promise<void> }> {
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const headers = { ...req.headers, host: target.host };
    if (opts.forwardedHeaders)
      Object.assign(headers, {
        'x-real-ip': '203.0.113.7',
        'x-forwarded-for': '203.0.113.7',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': req.headers.host,
      });
    const forward = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) };
}

describe('2 · behind a proxy nothing is local', () => {
  const db = tempDatabase('keel-proxy-');
  let keel: TestKeel;
  let direct: Awaited<ReturnType<typeof serveOnLoopback>>;
  let proxy: Awaited<ReturnType<typeof nginxLikeProxy>>;
  // Stopped, so the flood below meets the burst alone and no refill.
  const clock = new ManualClock();
  beforeAll(async () => {
    keel = await startKeel({ url: db.url, clock });
    direct = await serveOnLoopback(keel.http);
    proxy = await nginxLikeProxy(direct.base, { forwardedHeaders: true });
  });
  afterAll(async () => {
    await proxy?.close();
    await direct?.close();
    keel?.close();
    db.remove();
  });

  it('refuses the web chat, its history, the workspace and the pause switch through the proxy, and serves them directly', async () => {
    // What the internet sends to the proxy: its public name as Host.
    const viaProxy = (path: string, init: RequestInit = {}) =>
      fetch(`${proxy.base}${path}`, { ...init, headers: { host: 'keel.example.com', ...init.headers } });
    const pause = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=x' };
    const results = {
      chat: (await viaProxy('/')).status,
      history: (await viaProxy('/api/history')).status,
      workspace: (await viaProxy('/workspace')).status,
      pause: (await viaProxy('/workspace/agents/sales/pause', pause)).status,
    };
    expect(results).toEqual({ chat: 403, history: 403, workspace: 401, pause: 401 });
    expect(await keel.kernel.pauses.get('sales')).toBeFalsy();
    // The operator on this machine still walks straight in.
    expect((await fetch(`${direct.base}/`)).status).toBe(200);
    expect((await fetch(`${direct.base}/workspace`)).status).toBe(200);
  });

  it('refuses to start with PUBLIC_URL and no WEB_CHAT_TOKEN, in one line', () => {
    let problems: string[] = [];
    try {
      loadConfig({ HOST: '127.0.0.1', PUBLIC_URL: 'https://keel.example.com' });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^WEB_CHAT_TOKEN is required when PUBLIC_URL is set \(keel\.example\.com\)/);
    expect(loadConfig({ PUBLIC_URL: 'https://keel.example.com', WEB_CHAT_TOKEN: WEB_TOKEN }).PUBLIC_URL).toBe('https://keel.example.com');
  });

  it('6 · a flood of web chat posts is turned away with "slow down" before anything is stored', async () => {
    const before = await count(keel, 'transcript');
    const statuses: number[] = [];
    let said = '';
    for (let i = 0; i < 100; i++) {
      const res = await keel.http.request('/api/messages', {
        method: 'POST',
        headers: { host: '127.0.0.1:3000', 'content-type': 'application/json', 'x-keel': '1' },
        body: JSON.stringify({ id: crypto.randomUUID(), text: `note: flood ${i} ${'x'.repeat(3000)}` }),
      });
      statuses.push(res.status);
      if (res.status === 429) said = ((await res.json()) as { error: string }).error;
      else await res.body?.cancel();
    }
    const accepted = statuses.filter((s) => s === 200).length;
    console.log(`web flood: 100 posts → ${accepted} taken in, ${statuses.filter((s) => s === 429).length} answered 429`);
    expect(accepted).toBe(30);
    expect(statuses.filter((s) => s === 429).length).toBe(100 - accepted);
    expect(said).toMatch(/^Slow down: Keel takes in 30 messages a minute/);
    expect((await count(keel, 'transcript')) - before).toBeLessThanOrEqual(accepted * 4);
  }, 120_000);
});

describe('4 · a removed operator loses the workspace at once', () => {
  const db = tempDatabase('keel-removed-');
  const host = { host: 'keel.example.test' };

  it('refuses their session and their pause switch after TELEGRAM_OPERATOR_IDS drops them', async () => {
    const env = { WEB_CHAT_TOKEN: WEB_TOKEN, TELEGRAM_OPERATOR_IDS: String(OPERATOR_TG) };
    const first = await startKeel({ url: db.url, env });
    const asked = await first.conversation.handle({
      transport: 'telegram',
      sender: `telegram:${OPERATOR_TG}`,
      chat: String(OPERATOR_TG),
      eventId: 'update:1',
      payload: { kind: 'text', text: '/workspace' },
    });
    const opened = await first.http.request('/workspace/login', {
      method: 'POST',
      headers: { ...host, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t: linkIn(textIn(asked.replies))! }).toString(),
    });
    const cookie = `keel_workspace=${workspaceCookieOf(opened)}`;
    const agents = await first.http.request('/workspace/agents', { headers: { ...host, cookie } });
    expect(agents.status).toBe(200);
    const csrf = formTokenIn(await agents.text())!;
    first.close();

    const after = await startKeel({ url: db.url, env: { ...env, TELEGRAM_OPERATOR_IDS: '777' } });
    try {
      expect((await after.http.request('/workspace', { headers: { ...host, cookie } })).status).toBe(401);
      const pause = await after.http.request('/workspace/agents/sales/pause', {
        method: 'POST',
        headers: { ...host, cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf }).toString(),
      });
      expect(pause.status).toBe(401);
      expect(await after.kernel.pauses.get('sales')).toBeFalsy();
    } finally {
      after.close();
      db.remove();
    }
  });
});

describe('5 · output encoding at the limits, through every presenter', () => {
  const names = ['&'.repeat(150), 'Evil <!channel> Corp', '<b>bold</b> & <@U0OPERATOR>'];
  const card = (name: string, i = 0): ApprovalCard => ({
    ref: `ref${i}-0123456789abcdef`,
    actionId: `act_${i}`,
    agent: 'finance',
    title: `Issue invoice to ${name}`,
    facts: [
      { label: 'Client', value: name },
      { label: 'Amount', value: '1,500.00 EUR' },
    ],
    reason: `${name} asked for an invoice for October.`,
    evidence: [`client:${name}`],
    expiresAt: '2026-11-30T09:00:00.000Z',
    state: 'awaiting_approval',
    decidedBy: null,
    decidedAt: null,
  });
  const replies = (name: string): Outbound[] => [
    { kind: 'text', text: `Client ${name} added. ${name.repeat(40)}` },
    { kind: 'card', card: card(name) },
    { kind: 'card', card: { ...card(name), state: 'succeeded', decidedBy: name, decidedAt: '2026-11-28T09:00:00.000Z' } },
    {
      kind: 'batch',
      batch: {
        ref: 'batch-0123456789ab',
        summary: `Approve these 40 invoices for ${name}`,
        lines: Array.from({ length: 40 }, (_, i) => `${name} ${i + 1} · 1,500.00 EUR`),
      },
    },
  ];
  /** Every "&" starts a whole entity: a cut one (&am) makes Telegram refuse the message and Slack show garbage. */
  const entitiesWhole = (s: string) => !/&(?!(amp|lt|gt|quot|#39);)/.test(s);
  const slackTexts = (value: unknown): string[] =>
    typeof value !== 'object' || value === null ? [] : Object.entries(value).flatMap(([k, v]) => (k === 'text' && typeof v === 'string' ? [v] : slackTexts(v)));

  it.each(names)('Telegram: %s stays within 4096 characters with whole entities and whole lines', (name) => {
    for (const reply of replies(name)) {
      const view = renderTelegram(reply);
      const texts = view.kind === 'text' ? view.parts : [view.html];
      for (const html of texts) {
        expect(html.length).toBeLessThanOrEqual(TELEGRAM_LIMIT);
        expect(entitiesWhole(html.replace(/<\/?(b|i|code)>/g, ''))).toBe(true);
        expect(html.replace(/<\/?(b|i|code)>/g, '')).not.toMatch(/[<>]/);
      }
      if (reply.kind === 'batch' && view.kind === 'card') {
        // The batch shows whole lines and says how many more there are, so "Approve all" is never lost to a cut.
        for (const line of view.html.split('\n').filter((l) => l.startsWith('• '))) expect(line).toMatch(/EUR$/);
        expect(view.keyboard.inline_keyboard.flat().map((b) => b.text)).toEqual(['✅ Approve all 40']);
      }
    }
  });

  it.each(names)('Slack: %s is escaped in every text field, fallback text included, within Block Kit limits', (name) => {
    for (const reply of replies(name)) {
      const view = renderSlack(reply);
      const texts = view.kind === 'text' ? view.parts : slackTexts(view).filter((t) => !/^(Approve|Reject|Edit|Why\?|Approve all 40)$/.test(t));
      for (const text of texts) {
        expect(text).not.toMatch(/[<>]/);
        expect(entitiesWhole(text)).toBe(true);
        expect(text.length).toBeLessThanOrEqual(4000);
      }
      if (view.kind === 'card') {
        for (const block of view.blocks ?? []) {
          if ('text' in block && typeof block.text === 'object') expect(block.text.text.length).toBeLessThanOrEqual(3000);
          if ('fields' in block) for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
        }
      }
    }
  });

  it.each(names)('web: %s is escaped', (name) => {
    for (const reply of replies(name)) {
      const html = renderWeb(reply);
      expect(html).not.toContain('<!channel>');
      expect(html).not.toContain('<b>bold');
      expect(entitiesWhole(html)).toBe(true);
    }
  });
});

describe('7 · cookies: Secure behind an https PUBLIC_URL, and the web chat cookie is a session, not the token', () => {
  const db = tempDatabase('keel-cookies-');
  const clock = new ManualClock('2026-11-25T09:00:00Z');
  let keel: TestKeel;
  beforeAll(async () => {
    keel = await startKeel({ url: db.url, clock, env: { WEB_CHAT_TOKEN: WEB_TOKEN, PUBLIC_URL: 'https://keel.example.com' } });
  });
  afterAll(() => {
    keel?.close();
    db.remove();
  });
  // Behind the proxy Keel sees plain http.
  const get = (path: string, cookie?: string) =>
    keel.http.request(`http://127.0.0.1:3000${path}`, { headers: { host: '127.0.0.1:3000', ...(cookie ? { cookie } : {}) } });

  it('web chat: a Secure, HttpOnly session cookie that expires, never the token itself', async () => {
    const entered = await get(`/?token=${WEB_TOKEN}`);
    expect(entered.status).toBe(303);
    const setCookie = entered.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^keel_web=/);
    expect(setCookie).not.toContain(WEB_TOKEN);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; Max-Age=\d+/);
    const cookie = setCookie.split(';')[0]!;
    expect((await get('/api/history', cookie)).status).toBe(200);
    // The raw token is no cookie.
    expect((await get('/api/history', `keel_web=${WEB_TOKEN}`)).status).toBe(401);
    clock.advance(8 * 24 * 60 * 60_000);
    expect((await get('/api/history', cookie)).status).toBe(401);
  });

  it('workspace: the session cookie is Secure although the request came in as http', async () => {
    const link = linkIn(textIn((await keel.say('/workspace')).replies))!;
    const opened = await keel.http.request('http://127.0.0.1:3000/workspace/login', {
      method: 'POST',
      headers: { host: '127.0.0.1:3000', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t: link }).toString(),
    });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('set-cookie')).toMatch(/^keel_workspace=[^;]+;.*Secure/);
  });

  it('8 · a correctly signed link whose payload is not JSON is refused with 401, not a crash', async () => {
    // Only someone holding the signing key could make one; the test reads it from the database to play that part.
    const [row] = (await keel.storage.client.execute("SELECT secret FROM workspace_keys WHERE name = 'signing'")).rows;
    const payload = Buffer.from('not json at all').toString('base64url');
    const signature = createHmac('sha256', String(row!.secret)).update(`link:${payload}`).digest('base64url');
    const res = await keel.http.request('/workspace/login', {
      method: 'POST',
      headers: { host: 'keel.example.com', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t: `${payload}.${signature}` }).toString(),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('This is not a valid workspace link.');
  });
});
