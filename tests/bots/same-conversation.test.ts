import TelegramServer from 'telegram-test-api';
import { withBillingAddress } from '../support/keel.js';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createKeel, type Keel } from '../../src/app.js';
import { nodePlatform } from '../../src/platform/node.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDatabase } from '../support/db.js';
import { freePort } from '../support/port.js';
import { fakeSlackApi, slackHeaders, waitFor } from './support.js';

/**
 * One scenario, three transports: each driver speaks its platform's protocol
 * to a fresh Keel and reads back what the operator would see, as plain text.
 */
interface Driver {
  keel: Keel;
  /** Sends a message and waits for a reply matching `expected`; returns every new text since sending. */
  say(text: string, expected: RegExp): Promise<string>;
  /** The reference on the newest card's Approve button. */
  lastCardRef(): string;
  /** How the newest card reads now, after any edits. */
  cardText(): string;
  tap(ref: string, expected: RegExp): Promise<string>;
  stop(): Promise<void>;
}

const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');

async function webDriver(): Promise<Driver> {
  const db = tempDatabase();
  const keel = await createKeel({ platform: nodePlatform, config: loadConfig(db.env), logger: silentLogger });
  let lastRef = '';
  let lastCard = '';
  const post = async (path: string, body: unknown) => {
    const res = await keel.http.request(path, {
      method: 'POST',
      headers: { host: '127.0.0.1', 'content-type': 'application/json', 'x-keel': '1' },
      body: JSON.stringify(body),
    });
    const html = ((await res.json()) as { replies: string[] }).replies;
    for (const h of html) lastRef = /data-action="approve:([^"]+)"/.exec(h)?.[1] ?? lastRef;
    // The page replaces a card in place when the same reference comes back, so the newest rendering is the card.
    lastCard = html.filter((h) => h.includes('class="msg card"')).at(-1) ?? lastCard;
    return plain(html.join('\n'));
  };
  return {
    keel,
    say: (text) => post('/api/messages', { id: crypto.randomUUID(), text }),
    lastCardRef: () => lastRef,
    cardText: () => plain(lastCard),
    tap: (ref) => post('/api/decisions', { id: crypto.randomUUID(), action: `approve:${ref}` }),
    async stop() {
      keel.close();
      db.remove();
    },
  };
}

async function telegramDriver(): Promise<Driver> {
  const token = '123456:same-conversation';
  const server = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  const client = server.getClient(token, { userId: 4242, chatId: 4242, firstName: 'Olga' });
  const db = tempDatabase();
  const keel = await createKeel({
    platform: nodePlatform,
    config: loadConfig({ ...db.env, TELEGRAM_BOT_TOKEN: token, TELEGRAM_OPERATOR_IDS: '4242', TELEGRAM_API_ROOT: server.config.apiURL }),
    logger: silentLogger,
  });
  await keel.startBots();
  type Sent = { messageId: number; message: { text: string; reply_markup?: { inline_keyboard: { callback_data: string }[][] } } };
  const sent = () => server.storage.botMessages as unknown as Sent[];
  const after = async (count: number, expected: RegExp) => {
    await waitFor(`a Telegram reply matching ${expected}`, () =>
      sent()
        .slice(count)
        .some((m) => expected.test(plain(m.message.text))),
    );
    return sent()
      .slice(count)
      .map((m) => plain(m.message.text))
      .join('\n');
  };
  let cardId = 0;
  const card = () => [...sent()].reverse().find((m) => m.message.reply_markup?.inline_keyboard.length);
  return {
    keel,
    async say(text, expected) {
      const count = sent().length;
      await client.sendMessage(client.makeMessage(text));
      return after(count, expected);
    },
    lastCardRef() {
      const newest = card()!;
      cardId = newest.messageId;
      return newest.message.reply_markup!.inline_keyboard[0]![0]!.callback_data.replace('approve:', '');
    },
    // The emulator applies edits in place, as a phone shows them.
    cardText: () => plain(sent().find((m) => m.messageId === cardId)!.message.text),
    async tap(ref, expected) {
      const count = sent().length;
      await client.sendCallback(client.makeCallbackQuery(`approve:${ref}`, { message: { message_id: cardId } as never }));
      return after(count, expected);
    },
    async stop() {
      await keel.stopBots();
      keel.close();
      await server.stop();
      db.remove();
    },
  };
}

async function slackDriver(): Promise<Driver> {
  const secret = 'slack-signing-secret-same-conversation';
  const api = await fakeSlackApi();
  const db = tempDatabase();
  const keel = await createKeel({
    platform: nodePlatform,
    config: loadConfig({ ...db.env, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: secret, SLACK_OPERATOR_IDS: 'U0OPERATOR', SLACK_API_URL: api.url }),
    logger: silentLogger,
  });
  await keel.startBots();
  let n = 0;
  const post = (body: string, type: string) =>
    keel.http.request('/slack/events', { method: 'POST', headers: { host: 'keel.example.test', 'content-type': type, ...slackHeaders(secret, body) }, body });
  const messages = () => api.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
  const textOf = (c: (typeof api.calls)[number]) => `${String(c.params.text)} ${JSON.stringify(c.params.blocks ?? '')}`;
  const after = async (count: number, expected: RegExp) => {
    await waitFor(`a Slack reply matching ${expected}`, () =>
      messages()
        .slice(count)
        .some((c) => expected.test(textOf(c))),
    );
    return messages().slice(count).map(textOf).join('\n');
  };
  const card = () =>
    [...api.calls].reverse().find((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params.blocks ?? '').includes('"action_id":"approve"'))!;
  const cardRef = () => /"action_id":"approve","value":"([^"]+)"|"value":"([^"]+)","action_id":"approve"/.exec(JSON.stringify(card().params.blocks)) ?? [];
  return {
    keel,
    async say(text, expected) {
      const count = messages().length;
      const event = { type: 'message', channel_type: 'im', channel: 'D0OPERATOR', user: 'U0OPERATOR', text, ts: `${1_700_000_000 + ++n}.000100` };
      await post(
        JSON.stringify({ type: 'event_callback', team_id: 'T0TEAM', api_app_id: 'A0KEEL', event_id: `EvSame${n}`, event_time: 1_700_000_000, event }),
        'application/json',
      );
      return after(count, expected);
    },
    lastCardRef: () => cardRef()[1] ?? cardRef()[2] ?? '',
    cardText() {
      const ts = String(card().response.ts);
      const updates = api.calls.filter((c) => c.method === 'chat.update' && String(c.params.ts) === ts);
      return textOf(updates.at(-1) ?? card());
    },
    async tap(ref, expected) {
      const count = messages().length;
      const ts = String(card().response.ts);
      const payload = {
        type: 'block_actions',
        user: { id: 'U0OPERATOR', username: 'operator', team_id: 'T0TEAM' },
        api_app_id: 'A0KEEL',
        team: { id: 'T0TEAM', domain: 'test' },
        trigger_id: `trigger-${++n}`,
        container: { type: 'message', message_ts: ts, channel_id: 'D0OPERATOR', is_ephemeral: false },
        channel: { id: 'D0OPERATOR', name: 'directmessage' },
        message: { type: 'message', ts, text: 'card' },
        actions: [{ type: 'button', action_id: 'approve', block_id: 'decision', value: ref, action_ts: `${1_700_000_000 + n}.1` }],
      };
      await post(`payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded');
      return after(count, expected);
    },
    async stop() {
      await keel.stopBots();
      keel.close();
      await api.close();
      db.remove();
    },
  };
}

describe.each([
  ['the web chat', webDriver],
  ['Telegram', telegramDriver],
  ['Slack', slackDriver],
])('the same conversation from %s', (_name, start) => {
  const drivers: Driver[] = [];
  afterAll(async () => {
    for (const d of drivers) await d.stop();
  });

  it('adds a client, raises an invoice card, approves it once, and reports what is owed', async () => {
    const d = await start();
    drivers.push(d);
    const count = async (table: string) => Number((await d.keel.storage.client.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);

    expect(await d.say('Add Acme Corp as a client, contact dana@acme.test', /Added client Acme Corp/)).toMatch(/dana@acme\.test/);
    await withBillingAddress(d.keel, 'Acme Corp');
    expect(await d.say('Invoice Acme 10 hours at 150 EUR for October consulting', /Issue an invoice to Acme Corp/)).toMatch(/1,500\.00 EUR/);
    const ref = d.lastCardRef();
    expect(ref).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(await count('invoices')).toBe(0);

    await d.tap(ref, /invoice 2026-0001, 1,500\.00 EUR/);
    expect(d.cardText()).toMatch(/Approved by \S+ at .* done/);
    expect(await d.tap(ref, /Already approved by/)).not.toMatch(/Done —/);
    expect(await count('invoices')).toBe(1);

    expect(await d.say('show invoices for Acme', /Invoices for Acme Corp/)).toMatch(/2026-0001 Acme Corp: 1,500\.00 EUR, sent/);
  });
});
