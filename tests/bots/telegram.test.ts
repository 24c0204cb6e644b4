import TelegramServer from 'telegram-test-api';
import { withBillingAddress } from '../support/keel.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createKeel, type Keel } from '../../src/app.js';
import { nodePlatform } from '../../src/platform/node.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { tempDatabase } from '../support/db.js';
import { sendDigest } from '../../src/jobs/index.js';
import { systemClock } from '../../src/core/clock.js';
import { freePort } from '../support/port.js';
import { waitFor } from './support.js';

const TOKEN = '123456:keel-test-token';
const OPERATOR = 4242;
const STRANGER = 999;

type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };
type Sent = { messageId: number; message: { chat_id: number | string; text: string; parse_mode?: string; reply_markup?: Keyboard } };

describe('Telegram bot, long polling against telegram-test-api', () => {
  let server: TelegramServer;
  let keel: Keel;
  let db: ReturnType<typeof tempDatabase>;
  let operator: ReturnType<TelegramServer['getClient']>;
  let stranger: ReturnType<TelegramServer['getClient']>;
  let card: Sent;
  let approveData: string;

  /** What the bot sent to one chat, in order, as the emulator stores it (edits are applied in place). */
  const sentTo = (chat: number) => (server.storage.botMessages as unknown as Sent[]).filter((m) => String(m.message.chat_id) === String(chat));
  const count = async (table: string, where = 'true') =>
    Number((await keel.storage.client.execute(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0]?.n);
  const invoiceActions = () => count('actions', "operation = 'invoices.issue'");
  const textSent = (chat: number, pattern: RegExp) => () => sentTo(chat).find((m) => pattern.test(m.message.text));
  const buttons = (m: Sent) => m.message.reply_markup?.inline_keyboard.flat() ?? [];
  const press = (client: typeof operator, data: string, messageId: number) =>
    client.sendCallback(client.makeCallbackQuery(data, { message: { message_id: messageId } as never }));

  beforeAll(async () => {
    server = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 600 });
    await server.start();
    operator = server.getClient(TOKEN, { userId: OPERATOR, chatId: OPERATOR, firstName: 'Olga' });
    stranger = server.getClient(TOKEN, { userId: STRANGER, chatId: STRANGER, firstName: 'Mallory' });
    db = tempDatabase();
    keel = await createKeel({
      platform: nodePlatform,
      config: loadConfig({ ...db.env, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_OPERATOR_IDS: `${OPERATOR}`, TELEGRAM_API_ROOT: server.config.apiURL }),
      logger: process.env.DEBUG_BOTS ? createLogger({ level: 'debug' }) : silentLogger,
    });
    await keel.recover();
    // The emulator answers setMyCommands with an error: starting must survive it.
    await keel.startBots();
  });

  afterAll(async () => {
    await keel?.stopBots();
    keel?.close();
    await server?.stop();
    db?.remove();
  });

  it('answers the operator and shows an approval card with Approve/Reject buttons', async () => {
    await operator.sendMessage(operator.makeMessage('Add Acme Corp as a client, contact dana@acme.test'));
    await waitFor('the client reply', () => sentTo(OPERATOR).length >= 1);
    expect(await count('clients')).toBe(1);
    await withBillingAddress(keel, 'Acme Corp');

    await operator.sendMessage(operator.makeMessage('Invoice Acme 10 hours at 150 EUR for October consulting'));
    card = await waitFor('the card', () => sentTo(OPERATOR).find((m) => buttons(m).length > 0));
    expect(card.message.parse_mode).toBe('HTML');
    expect(card.message.text).toContain('<b>Issue an invoice to Acme Corp</b>');
    expect(card.message.text).toContain('<b>To:</b> Acme Corp &lt;dana@acme.test&gt;');
    expect(card.message.text).toContain('1,500.00 EUR');
    const [approve, reject] = buttons(card);
    expect(approve?.callback_data).toMatch(/^approve:[A-Za-z0-9_-]{8,}$/);
    expect(reject?.callback_data).toBe(approve?.callback_data.replace('approve:', 'reject:'));
    expect(Buffer.byteLength(approve!.callback_data)).toBeLessThanOrEqual(64);
    approveData = approve!.callback_data;
    expect(await count('invoices')).toBe(0);
  });

  it('refuses a stranger politely, once, and their button press changes nothing', async () => {
    await stranger.sendMessage(stranger.makeMessage('Invoice Acme 99 hours at 500 EUR'));
    await waitFor('the refusal', textSent(STRANGER, /answers only its operator/));
    await press(stranger, approveData, card.messageId);
    await waitFor('the second refusal', () => sentTo(STRANGER).length >= 2);
    expect(sentTo(STRANGER).map((m) => m.message.text)).toEqual(Array(2).fill('Sorry, this Keel answers only its operator.'));
    expect(buttons(card)).toHaveLength(4);
    expect(await count('invoices')).toBe(0);
    expect(await invoiceActions()).toBe(1);
  });

  it('on Approve edits the card to show the decision, who made it and when, and issues one invoice', async () => {
    await press(operator, approveData, card.messageId);
    await waitFor('the edited card', () => /Approved by telegram:4242 at \d{4}-\d\d-\d\d \d\d:\d\d UTC — done/.test(card.message.text));
    expect(buttons(card)).toHaveLength(0);
    await waitFor('the report', textSent(OPERATOR, /invoice 2026-0001, 1,500\.00 EUR/));
    expect(await count('invoices')).toBe(1);
    expect(sentTo(OPERATOR).filter((m) => m.message.text.includes('<b>Issue an invoice to Acme Corp</b>'))).toHaveLength(1);
  });

  it('a second press does nothing new', async () => {
    const before = card.message.text;
    await press(operator, approveData, card.messageId);
    await waitFor('the note', textSent(OPERATOR, /Already approved by telegram:4242/));
    expect(card.message.text).toBe(before);
    expect(await count('invoices')).toBe(1);
  });

  it('processes a re-delivered update (same update_id) once', async () => {
    // How many messages "help" takes, so the same request after the re-deliveries shows they added nothing.
    const start = sentTo(OPERATOR).length;
    await operator.sendMessage(operator.makeMessage('help'));
    const helpSize = (await waitFor('help', () => sentTo(OPERATOR).length > start && sentTo(OPERATOR).length)) - start;
    const afterHelp = sentTo(OPERATOR).length;

    // Telegram re-sends an update it thinks was not received: the emulator hands out the very same updates again.
    const updates = server.storage.userMessages.filter((u) =>
      'callbackQuery' in u ? u.callbackQuery.from.id === OPERATOR : u.message.text?.startsWith('Invoice Acme 10'),
    );
    expect(updates.length).toBeGreaterThanOrEqual(2);
    for (const update of updates) update.isRead = false;
    await operator.sendMessage(operator.makeMessage('help'));
    await waitFor('help again', () => sentTo(OPERATOR).length >= afterHelp + helpSize);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(sentTo(OPERATOR).length).toBe(afterHelp + helpSize);
    expect(sentTo(OPERATOR).filter((m) => m.message.text.includes('<b>Issue an invoice to Acme Corp</b>'))).toHaveLength(1);
    expect(await invoiceActions()).toBe(1);
    expect(await count('invoices')).toBe(1);
  });

  it('delivers the daily digest to the operator with working buttons on its cards', async () => {
    const asked = sentTo(OPERATOR).length;
    await operator.sendMessage(operator.makeMessage('Invoice Acme 3 hours at 150 EUR for a review'));
    await waitFor('the second card', () =>
      sentTo(OPERATOR)
        .slice(asked)
        .find((m) => buttons(m).length),
    );
    const before = sentTo(OPERATOR).length;
    await sendDigest({ db: keel.storage.db, kernel: keel.kernel, clock: systemClock, timeZone: 'UTC', digestTime: '08:00' });
    const digest = await waitFor('the digest', textSent(OPERATOR, /^Digest for/));
    expect(digest.message.parse_mode).toBe('HTML');
    expect(digest.message.text).toContain('Waiting for your approval: 1');
    const digestCard = await waitFor('the digest card', () =>
      sentTo(OPERATOR)
        .slice(before)
        .find((m) => buttons(m).length),
    );
    await press(operator, buttons(digestCard).find((b) => b.text.includes('Approve'))!.callback_data, digestCard.messageId);
    await waitFor('the invoice from the digest card', async () => (await count('invoices')) === 2);
  });
});

describe('Telegram bot, webhook mode', () => {
  const SECRET = 'webhook-secret-0123456789abcdef';
  let server: TelegramServer;
  let keel: Keel;
  let db: ReturnType<typeof tempDatabase>;
  let updateId = 5000;

  const update = (text: string, id = ++updateId) => ({
    update_id: id,
    message: {
      message_id: id,
      date: 1_700_000_000,
      chat: { id: OPERATOR, type: 'private', first_name: 'Olga' },
      from: { id: OPERATOR, is_bot: false, first_name: 'Olga' },
      text,
    },
  });
  // Telegram reaches the server through its public name, which is not loopback: the web chat's guard must not apply.
  const post = (body: unknown, secret?: string) =>
    keel.http.request('/telegram/webhook', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        host: 'keel.example.test',
        ...(secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret }),
      },
      body: JSON.stringify(body),
    });
  const replies = () => server.storage.botMessages.length;
  const inboxRows = async () => Number((await keel.storage.client.execute('SELECT count(*) AS n FROM inbox')).rows[0]?.n);

  beforeAll(async () => {
    server = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 600 });
    await server.start();
    db = tempDatabase();
    keel = await createKeel({
      platform: nodePlatform,
      config: loadConfig({
        ...db.env,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_OPERATOR_IDS: `${OPERATOR}`,
        TELEGRAM_API_ROOT: server.config.apiURL,
        TELEGRAM_WEBHOOK_URL: 'https://keel.example.test/telegram/webhook',
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      }),
      logger: silentLogger,
    });
    await keel.startBots();
  });

  afterAll(async () => {
    await keel?.stopBots();
    keel?.close();
    await server?.stop();
    db?.remove();
  });

  it('refuses updates with a missing or wrong secret token: 401 and no effect', async () => {
    expect((await post(update('help'))).status).toBe(401);
    expect((await post(update('help'), 'wrong-secret-0123456789abcdef00')).status).toBe(401);
    expect((await post(update('help'), SECRET.slice(0, -1))).status).toBe(401);
    expect(await inboxRows()).toBe(0);
    expect(replies()).toBe(0);
  });

  it('handles an update with the right secret token, and its re-delivery once', async () => {
    const first = update('help');
    expect((await post(first, SECRET)).status).toBe(200);
    const sent = replies();
    expect(sent).toBeGreaterThan(0);
    expect((await post(first, SECRET)).status).toBe(200);
    expect(replies()).toBe(sent);
    expect(await inboxRows()).toBe(1);
  });
});
