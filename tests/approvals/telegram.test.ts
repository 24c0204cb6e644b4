import TelegramServer from 'telegram-test-api';
import { withBillingAddress } from '../support/keel.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createKeel, type Keel } from '../../src/app.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { nodePlatform } from '../../src/platform/node.js';
import { tempDatabase } from '../support/db.js';
import { freePort } from '../support/port.js';
import { waitFor } from '../bots/support.js';

const TOKEN = '123456:keel-approvals-token';
const OPERATOR = 4343;

type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };
type Sent = { messageId: number; message: { chat_id: number | string; text: string; reply_markup?: Keyboard } };

/** Edit, rules, expiry and batches on Telegram, against telegram-test-api, with grammY long polling for real. */
describe('approvals on Telegram', () => {
  let server: TelegramServer;
  let keel: Keel;
  let db: ReturnType<typeof tempDatabase>;
  let operator: ReturnType<TelegramServer['getClient']>;
  const clock = new ManualClock(new Date());

  const sent = () => (server.storage.botMessages as unknown as Sent[]).filter((m) => String(m.message.chat_id) === String(OPERATOR));
  const buttons = (m: Sent) => m.message.reply_markup?.inline_keyboard.flat() ?? [];
  const button = (m: Sent, verb: string) => buttons(m).find((b) => b.callback_data.startsWith(`${verb}:`))!.callback_data;
  const count = async (table: string, where = 'true') =>
    Number((await keel.storage.client.execute(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0]?.n);
  const totals = async () => (await keel.storage.client.execute('SELECT total_minor FROM invoices ORDER BY number')).rows.map((r) => Number(r.total_minor));
  const press = (data: string, messageId: number) => operator.sendCallback(operator.makeCallbackQuery(data, { message: { message_id: messageId } as never }));
  /** Sends a message and waits until the bot's answer to it arrived: `until` sees only what was sent after it. */
  const say = async (text: string, until: (after: Sent[]) => boolean) => {
    const before = sent().length;
    await operator.sendMessage(operator.makeMessage(text));
    return waitFor(`an answer to "${text}"`, () => until(sent().slice(before)) && sent().slice(before));
  };
  const newCard = (after: Sent[]) => after.find((m) => buttons(m).some((b) => b.callback_data.startsWith('approve:')));
  const textMatching = (pattern: RegExp) => (after: Sent[]) => after.some((m) => pattern.test(m.message.text));

  beforeAll(async () => {
    server = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 600 });
    await server.start();
    operator = server.getClient(TOKEN, { userId: OPERATOR, chatId: OPERATOR, firstName: 'Olga' });
    db = tempDatabase();
    keel = await createKeel({
      platform: nodePlatform,
      config: loadConfig({ ...db.env, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_OPERATOR_IDS: `${OPERATOR}`, TELEGRAM_API_ROOT: server.config.apiURL }),
      clock,
      logger: silentLogger,
    });
    await keel.recover();
    await keel.startBots();
    await say('Add Acme Corp as a client, contact dana@acme.test', textMatching(/Added client Acme Corp/));
    await say('Add Beta GmbH as a client, contact lee@beta.test', textMatching(/Added client Beta GmbH/));
    await withBillingAddress(keel, 'Acme Corp');
    await withBillingAddress(keel, 'Beta GmbH');
  });

  afterAll(async () => {
    await keel?.stopBots();
    keel?.close();
    await server?.stop();
    db?.remove();
  });

  it('Edit → "make it 12 hours" → one invoice with 12 hours; the original card then answers that it was superseded', async () => {
    const original = newCard(await say('Invoice Acme 10 hours at 150 EUR for October consulting', (after) => Boolean(newCard(after))))!;
    expect(buttons(original).map((b) => b.text)).toEqual(['✅ Approve', '✖️ Reject', 'Edit', 'Why?']);
    const approveOriginal = button(original, 'approve');
    const before = sent().length;
    await press(button(original, 'edit'), original.messageId);
    await waitFor('the edit prompt', () =>
      sent()
        .slice(before)
        .some((m) => /What should change/.test(m.message.text)),
    );
    const replacement = newCard(await say('make it 12 hours', (after) => Boolean(newCard(after))))!;
    expect(replacement.message.text).toContain('1,800.00 EUR');
    // The original message is redrawn in place: no buttons left to tap by mistake.
    await waitFor('the original redrawn', () => buttons(original).length === 0);
    expect(original.message.text).toMatch(/Replaced by an edited card/);

    // A tap that was already on its way (another device, a stale screen) is answered, and does nothing.
    const stale = sent().length;
    await press(approveOriginal, original.messageId);
    await waitFor('the superseded answer', () =>
      sent()
        .slice(stale)
        .some((m) => /This card was superseded/.test(m.message.text)),
    );
    expect(await count('invoices')).toBe(0);

    await press(button(replacement, 'approve'), replacement.messageId);
    await waitFor('the invoice', async () => (await count('invoices')) === 1);
    expect(await totals()).toEqual([180000]);
  });

  it('a bad edit gets a clear answer and changes nothing', async () => {
    const card = newCard(await say('Invoice Beta 1 hour at 100 EUR for a check', (after) => Boolean(newCard(after))))!;
    const actions = await count('actions');
    const before = sent().length;
    await press(button(card, 'edit'), card.messageId);
    await waitFor('the edit prompt', () =>
      sent()
        .slice(before)
        .some((m) => /What should change/.test(m.message.text)),
    );
    const answer = await say('make it -3 hours', textMatching(/Nothing was changed/));
    expect(answer.map((m) => m.message.text).join('\n')).toMatch(/more than zero/);
    expect(await count('actions')).toBe(actions);
    expect(buttons(card)).toHaveLength(4);
    await press(button(card, 'reject'), card.messageId);
    await waitFor('the rejection', () => /Rejected/.test(card.message.text));
  });

  it('one tap on a /pending batch approves 5 invoices; a double tap still gives 5 invoices, not 10', async () => {
    for (const hours of [1, 2, 3, 4, 5]) await say(`Invoice Beta ${hours} hours at 100 EUR for batch work`, (after) => Boolean(newCard(after)));
    const batch = await waitFor('the batch', async () =>
      (await say('/pending', (after) => after.some((m) => /^<b>Approve these 5 invoices, total 1,500\.00 EUR<\/b>/.test(m.message.text)))).find((m) =>
        buttons(m).some((b) => b.callback_data.startsWith('batch:')),
      ),
    );
    const data = button(batch, 'batch');
    await Promise.all([press(data, batch.messageId), press(data, batch.messageId)]);
    await waitFor('five invoices', async () => (await count('invoices')) === 6);
    // The taps are handled one after the other; the second finds all five decided and edits the summary to say so.
    await waitFor('the second tap', () => /All 5 were already decided; nothing more was done/.test(batch.message.text));
    expect(await count('invoices')).toBe(6);
    expect(await count('actions', "operation = 'invoices.issue' AND state = 'succeeded'")).toBe(6);
  });

  it('a rule approves the next matching invoice, not one over its ceiling or to a new client; revoking it restores the gate', async () => {
    const ruleCard = newCard(await say('always approve invoices under 500 EUR to existing clients', (after) => Boolean(newCard(after))))!;
    expect(ruleCard.message.text).toContain('Create a standing approval rule');
    await press(button(ruleCard, 'approve'), ruleCard.messageId);
    await waitFor('the rule', async () => (await count('standing_rules', "status = 'active'")) === 1);

    const invoicesBefore = await count('invoices');
    const auto = await say('Invoice Acme 3 hours at 150 EUR for a review', textMatching(/Approved by your standing rule/));
    expect(auto.some((m) => buttons(m).length)).toBe(false);
    expect(await count('invoices')).toBe(invoicesBefore + 1);

    expect(newCard(await say('Invoice Acme 4 hours at 150 EUR for a review', (after) => Boolean(newCard(after))))).toBeDefined();
    await say('Add Gamma Ltd as a client, contact sam@gamma.test', textMatching(/Added client Gamma Ltd/));
    await withBillingAddress(keel, 'Gamma Ltd');
    expect(newCard(await say('Invoice Gamma 2 hours at 150 EUR for a review', (after) => Boolean(newCard(after))))).toBeDefined();
    expect(await count('invoices')).toBe(invoicesBefore + 1);

    const listed = await say('/rules', textMatching(/fired 1×/));
    const ruleId = /(rule_\w+) · active/.exec(listed.map((m) => m.message.text).join('\n'))![1]!;
    await say(`/rules revoke ${ruleId}`, textMatching(/is revoked/));
    expect(newCard(await say('Invoice Acme 3 hours at 150 EUR for a review', (after) => Boolean(newCard(after))))).toBeDefined();
    expect(await count('invoices')).toBe(invoicesBefore + 1);
  });

  it('a card decided in the web chat loses its buttons in Telegram too', async () => {
    // The whole answer, not just the card: Keel records where the card went once Telegram answers, then sends the line after it.
    const card = newCard(
      await say('Invoice Acme 1 hour at 150 EUR for a web decision', (after) => {
        const at = after.findIndex((m) => newCard([m]));
        return at >= 0 && textMatching(/Prepared for your approval/)(after.slice(at + 1));
      }),
    )!;
    const ref = button(card, 'approve').slice('approve:'.length);
    await keel.conversation.handle({
      transport: 'web',
      sender: 'web:operator',
      chat: 'web',
      eventId: `web-tap-${ref}`,
      payload: { kind: 'decision', ref, decision: 'approve' },
    });
    await waitFor('the Telegram copy redrawn', () => buttons(card).length === 0);
    expect(card.message.text).toMatch(/Approved by web:operator at .* — done/);
  });

  it('an expired card cannot be approved', async () => {
    const card = newCard(await say('Invoice Acme 7 hours at 150 EUR for late work', (after) => Boolean(newCard(after))))!;
    const invoices = await count('invoices');
    clock.advance(49 * 3_600_000);
    const before = sent().length;
    await press(button(card, 'approve'), card.messageId);
    await waitFor('the expiry note', () =>
      sent()
        .slice(before)
        .some((m) => /expired at .*nothing was done/.test(m.message.text)),
    );
    expect(card.message.text).toMatch(/Expired — not done/);
    expect(await count('invoices')).toBe(invoices);
  });
});
