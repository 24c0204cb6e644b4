import TelegramServer from 'telegram-test-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createKeel, type Keel } from '../../src/app.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { nodePlatform } from '../../src/platform/node.js';
import { tempDatabase } from '../support/db.js';
import { freePort } from '../support/port.js';
import { waitFor } from '../bots/support.js';
import { withBillingAddress } from '../support/keel.js';

const TOKEN = '123456:keel-playbooks-token';
const OPERATOR = 4545;

type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };
type Sent = { messageId: number; message: { chat_id: number | string; text: string; reply_markup?: Keyboard } };

/** A playbook end to end on Telegram, against telegram-test-api with grammY long polling for real. */
describe('playbooks on Telegram', () => {
  let server: TelegramServer;
  let keel: Keel;
  let db: ReturnType<typeof tempDatabase>;
  let operator: ReturnType<TelegramServer['getClient']>;
  // Wednesday 25 November 2026, so "within 3 working days" is Thursday.
  const clock = new ManualClock('2026-11-25T09:00:00Z');

  const sent = () => (server.storage.botMessages as unknown as Sent[]).filter((m) => String(m.message.chat_id) === String(OPERATOR));
  const buttons = (m: Sent) => m.message.reply_markup?.inline_keyboard.flat() ?? [];
  const count = async (query: string) => Number((await keel.storage.client.execute(query)).rows[0]?.n);
  const press = (data: string, messageId: number) => operator.sendCallback(operator.makeCallbackQuery(data, { message: { message_id: messageId } as never }));
  const say = async (text: string, until: (after: Sent[]) => boolean) => {
    const before = sent().length;
    await operator.sendMessage(operator.makeMessage(text));
    return waitFor(`an answer to "${text}"`, () => until(sent().slice(before)) && sent().slice(before));
  };

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
    await say('Add Beta GmbH as a client, contact Tom tom@beta.test', (after) => after.some((m) => /Added client Beta GmbH/.test(m.message.text)));
    await withBillingAddress(keel, 'Beta GmbH');
    await say('draft a proposal for Beta: workshop, 40 hours at 100 EUR', (after) => after.some((m) => /Drafted proposal "Workshop"/.test(m.message.text)));
  });

  afterAll(async () => {
    await keel?.stopBots();
    keel?.close();
    await server?.stop();
    db?.remove();
  });

  it('definition card → approved → the trigger fires → one gathered message → "Approve all" → every step once, in order', async () => {
    const stated = await say(
      'when a proposal is accepted: create a project for it, book a 30-minute kickoff within 3 working days, send the welcome email, invoice a 30% deposit',
      (after) => after.some((m) => buttons(m).some((b) => b.callback_data.startsWith('approve:'))),
    );
    const definition = stated.find((m) => buttons(m).some((b) => b.callback_data.startsWith('approve:')))!;
    expect(definition.message.text).toContain('Create the playbook "Kickoff"');
    expect(definition.message.text).toContain('calendar.book — clientId: {{client.id}}, title: Kickoff: {{proposal.title}}, startsAt: {{workday(3) 10:00}}');
    await press(buttons(definition).find((b) => b.callback_data.startsWith('approve:'))!.callback_data, definition.messageId);
    await waitFor('the playbook', async () => (await count('SELECT count(*) AS n FROM playbooks')) === 1);

    await say('Beta accepted the proposal', (after) => after.some((m) => m.message.text.startsWith('Recorded: Beta GmbH accepted')));
    const before = sent().length;
    await keel.playbooks.tick();
    const gathered = await waitFor('the gathered message', () =>
      sent()
        .slice(before)
        .find((m) => buttons(m).some((b) => b.callback_data.startsWith('batch:'))),
    );
    expect(gathered.message.text).toMatch(/Kickoff for Beta GmbH: Workshop: .*Issue an invoice to Beta GmbH 1,200\.00 EUR — Approve all/s);
    const approveAll = buttons(gathered).find((b) => b.callback_data.startsWith('batch:'))!;
    expect(approveAll.text).toBe('✅ Approve all 3');
    // One gathered message for the run, whatever the next ticks find.
    await keel.playbooks.tick();
    expect(
      sent()
        .slice(before)
        .filter((m) => buttons(m).some((b) => b.callback_data.startsWith('batch:'))),
    ).toHaveLength(1);

    await press(approveAll.callback_data, gathered.messageId);
    await waitFor('the run to finish', async () => (await count("SELECT count(*) AS n FROM playbook_runs WHERE state = 'done'")) === 1);
    expect(await count('SELECT count(*) AS n FROM projects')).toBe(1);
    expect(await count("SELECT count(*) AS n FROM meetings WHERE title = 'Kickoff: Workshop'")).toBe(1);
    expect(await count("SELECT count(*) AS n FROM actions WHERE operation = 'email.send' AND state = 'succeeded'")).toBe(1);
    expect(await count('SELECT count(*) AS n FROM invoices WHERE total_minor = 120000')).toBe(1);
    // Each step ran once: one "running" entry in the audit trail per step action.
    expect(
      await count(
        "SELECT count(*) AS n FROM audit_log l JOIN actions a ON a.id = l.action_id WHERE l.event = 'running' AND a.idempotency_key LIKE 'playbook:%' AND a.operation <> 'operator.notify'",
      ),
    ).toBe(4);
    await waitFor('the done notice', () => sent().some((m) => m.message.text.includes('Playbook "Kickoff" for Beta GmbH: Workshop: done, all 4 steps.')));
  });
});
