import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import TelegramServer from 'telegram-test-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createKeel, type Keel } from '../../src/app.js';
import { withBillingAddress } from '../support/keel.js';
import { nodePlatform } from '../../src/platform/node.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDatabase } from '../support/db.js';
import { freePort } from '../support/port.js';
import { fakeSlackApi, readBody, slackClickBody, slackHeaders, waitFor } from './support.js';

/**
 * An issued invoice's PDF reaches the operator as a real file in each chat app: a Telegram document sent by
 * grammY, a Slack upload made by Bolt's Web API client (files.uploadV2).
 */

const TOKEN = '123456:keel-files-token';
const OPERATOR = 4242;

type Sent = { messageId: number; message: { chat_id: number | string; text: string; reply_markup?: { inline_keyboard: { callback_data: string }[][] } } };
type Document = { chatId: string; caption: string; parseMode: string; name: string; bytes: Buffer };

type Part = { name: string; filename?: string; bytes: Buffer };

/**
 * The parts of grammY's multipart body, read as Telegram's server does: grammY writes header parameters
 * without quotes (filename=a.pdf), which the Fetch API's strict parser refuses.
 */
function parts(contentType: string, body: Buffer): Part[] {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
  if (!boundary) return [];
  const found: Part[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString();
    const name = /name="?([^";\r\n]+)"?/.exec(head)?.[1] ?? '';
    const filename = /filename="?([^";\r\n]+)"?/.exec(head)?.[1];
    found.push({ name, ...(filename ? { filename } : {}), bytes: part.subarray(split + 4) });
    start = next;
  }
  return found;
}

/**
 * telegram-test-api has no sendDocument, so this stand-in sits in front of it: sendDocument is answered here
 * (the multipart upload read as Telegram would), every other Bot API call is passed to the emulator unchanged.
 * A mock only for that one route, because no local Bot API server takes documents.
 */
async function documentStandIn(emulator: string) {
  const documents: Document[] = [];
  let messageId = 10_000;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.method === 'POST' && /\/sendDocument$/.test(req.url ?? '')) {
      const fields = parts(req.headers['content-type'] ?? '', body);
      const field = (name: string) => fields.find((f) => f.name === name);
      const attached = /^attach:\/\/(.+)$/.exec(field('document')?.bytes.toString() ?? '')?.[1];
      const file = attached ? field(attached) : undefined;
      if (!file?.filename) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: there is no document in the request' }));
        return;
      }
      const chatId = field('chat_id')?.bytes.toString() ?? '';
      documents.push({
        chatId,
        caption: field('caption')?.bytes.toString() ?? '',
        parseMode: field('parse_mode')?.bytes.toString() ?? '',
        name: file.filename,
        bytes: file.bytes,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ok: true,
          result: {
            message_id: ++messageId,
            date: Math.floor(Date.now() / 1000),
            chat: { id: Number(chatId), type: 'private' },
            document: { file_id: `doc${messageId}`, file_unique_id: `u${messageId}`, file_name: file.filename },
          },
        }),
      );
      return;
    }
    // Hop-by-hop and length headers are fetch's own to set.
    const own = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive']);
    const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && !own.has(e[0])));
    const answer = await fetch(`${emulator}${req.url}`, { method: req.method, headers, ...(body.length ? { body: new Uint8Array(body) } : {}) });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    documents,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('files in Telegram: the real grammY client sends a document', () => {
  let emulator: TelegramServer;
  let standIn: Awaited<ReturnType<typeof documentStandIn>>;
  let keel: Keel;
  let db: ReturnType<typeof tempDatabase>;
  let operator: ReturnType<TelegramServer['getClient']>;

  const sentTo = (chat: number) => (emulator.storage.botMessages as unknown as Sent[]).filter((m) => String(m.message.chat_id) === String(chat));
  const buttons = (m: Sent) => m.message.reply_markup?.inline_keyboard.flat() ?? [];

  beforeAll(async () => {
    emulator = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 600 });
    await emulator.start();
    standIn = await documentStandIn(emulator.config.apiURL);
    operator = emulator.getClient(TOKEN, { userId: OPERATOR, chatId: OPERATOR, firstName: 'Olga' });
    db = tempDatabase();
    keel = await createKeel({
      platform: nodePlatform,
      config: loadConfig({ ...db.env, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_OPERATOR_IDS: `${OPERATOR}`, TELEGRAM_API_ROOT: standIn.url }),
      logger: silentLogger,
    });
    await keel.recover();
    await keel.startBots();
  });
  afterAll(async () => {
    await keel?.stopBots();
    keel?.close();
    await standIn?.close();
    await emulator?.stop();
    db?.remove();
  });

  it('approving an invoice sends its PDF as a document, captioned in words', async () => {
    await operator.sendMessage(operator.makeMessage('Add Acme Corp as a client, contact dana@acme.test'));
    await waitFor('the client reply', () => sentTo(OPERATOR).length >= 1);
    await withBillingAddress(keel, 'Acme Corp');
    await operator.sendMessage(operator.makeMessage('Invoice Acme 10 hours at 150 EUR for October consulting'));
    const card = await waitFor('the card', () => sentTo(OPERATOR).find((m) => buttons(m).length > 0));
    const approve = buttons(card)[0]!.callback_data;
    await operator.sendCallback(operator.makeCallbackQuery(approve, { message: { message_id: card.messageId } as never }));

    const document = await waitFor('the PDF', () => standIn.documents[0]);
    expect(document).toMatchObject({ chatId: String(OPERATOR), name: '2026-0001.pdf', parseMode: 'HTML', caption: '📎 2026-0001.pdf — Invoice 2026-0001' });
    expect(document.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const done = await waitFor('the Done line', () => sentTo(OPERATOR).find((m) => m.message.text.startsWith('Done — issue an invoice')));
    expect(done.message.text).toContain('written to the outbox folder for dana@acme.test');
  });

  it('/pdf and "send me invoice …" send the same PDF again', async () => {
    await operator.sendMessage(operator.makeMessage('/pdf 2026-0001'));
    await waitFor('the second PDF', () => standIn.documents[1]);
    await operator.sendMessage(operator.makeMessage('send me invoice 2026-0001'));
    const third = await waitFor('the third PDF', () => standIn.documents[2]);
    expect(third.name).toBe('2026-0001.pdf');
    expect(third.bytes.equals(standIn.documents[0]!.bytes)).toBe(true);
  });

  it('a rewind from the web chat withdraws a card sent to Telegram: its copy loses its buttons and says so', async () => {
    const web = async (text: string) => {
      const result = await keel.conversation.handle({
        transport: 'web',
        sender: 'web:operator',
        chat: 'web',
        eventId: crypto.randomUUID(),
        payload: { kind: 'text', text },
      });
      return result.replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])).join('\n');
    };
    const before = sentTo(OPERATOR).length;
    await operator.sendMessage(operator.makeMessage('book a call with Dana on 2027-01-14 14:30'));
    const card = await waitFor('the meeting card', () =>
      sentTo(OPERATOR)
        .slice(before)
        .find((m) => buttons(m).length > 0),
    );
    // Keel records where the card went once Telegram answers, then sends the line after it: a rewind before that knows no copy to redraw.
    await waitFor('the line after the card', () =>
      sentTo(OPERATOR)
        .slice(sentTo(OPERATOR).indexOf(card) + 1)
        .some((m) => m.message.text.includes('Prepared for your approval')),
    );
    // The emulator applies edits in place, so the button is read before the card is redrawn.
    const approve = buttons(card)[0]!.callback_data;
    const step = (await web('/history 50')).split('\n').find((line) => line.includes('end of turn') && line.includes('Add Acme Corp'));
    expect(step).toBeDefined();
    expect(await web(`/rewind ${step!.split(' · ')[0]}`)).toContain('Withdrawn — this card was proposed after that point');
    const redrawn = await waitFor('the redrawn card', () =>
      sentTo(OPERATOR).find((m) => m.messageId === card.messageId && m.message.text.includes('Withdrawn by rewind')),
    );
    expect(buttons(redrawn)).toEqual([]);
    await operator.sendCallback(operator.makeCallbackQuery(approve, { message: { message_id: card.messageId } as never }));
    await waitFor('the answer to the tap', () => sentTo(OPERATOR).some((m) => m.message.text.includes('This card was withdrawn by rewind')));
  });

  it('a file the store no longer has is said in words, with the reason, instead of failing the reply', async () => {
    await keel.storage.client.execute({ sql: 'UPDATE files SET deleted_at = ?', args: [Date.now()] });
    await operator.sendMessage(operator.makeMessage('/pdf 2026-0001'));
    const said = await waitFor('the words', () =>
      sentTo(OPERATOR).find((m) => m.message.text.startsWith('(The file itself could not be sent: There is no file')),
    );
    expect(said).toBeDefined();
    expect(sentTo(OPERATOR).some((m) => m.message.text === '📎 2026-0001.pdf — Invoice 2026-0001')).toBe(true);
    expect(standIn.documents).toHaveLength(3);
  });
});

describe('files in Slack: Bolt uploads them with files.uploadV2', () => {
  const SECRET = 'slack-signing-secret-for-files';
  const USER = 'U0OPERATOR';
  const DM = 'D0OPERATOR';
  let api: Awaited<ReturnType<typeof fakeSlackApi>>;
  let keel: Keel;
  let db: ReturnType<typeof tempDatabase>;
  let events = 0;

  const calls = (method: string) => api.calls.filter((c) => c.method === method);
  const signed = (body: string, contentType: string) =>
    keel.http.request('/slack/events', {
      method: 'POST',
      headers: { host: 'keel.example.test', 'content-type': contentType, ...slackHeaders(SECRET, body) },
      body,
    });
  const event = (e: Record<string, unknown>) =>
    JSON.stringify({
      token: 'legacy',
      team_id: 'T0TEAM',
      api_app_id: 'A0KEEL',
      type: 'event_callback',
      event_id: `EvF${++events}`,
      event_time: 1_700_000_000,
      event: e,
    });
  const dm = (text: string) => event({ type: 'message', channel_type: 'im', channel: DM, user: USER, text, ts: `${1_700_000_000 + events}.000100` });
  const click = (ref: string, ts: string) =>
    slackClickBody({ apiUrl: api.url, user: USER, channel: DM, ts, actionId: 'approve', value: ref, triggerId: `trigger-${++events}` });

  beforeAll(async () => {
    api = await fakeSlackApi();
    db = tempDatabase();
    keel = await createKeel({
      platform: nodePlatform,
      config: loadConfig({ ...db.env, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_OPERATOR_IDS: USER, SLACK_API_URL: api.url }),
      logger: silentLogger,
    });
    await keel.recover();
    await keel.startBots();
  });
  afterAll(async () => {
    await keel?.stopBots();
    keel?.close();
    await api?.close();
    db?.remove();
  });

  it('approving an invoice uploads its PDF into the DM, with its words as the comment', async () => {
    await signed(dm('Add Acme Corp as a client, contact dana@acme.test'), 'application/json');
    await waitFor('the client reply', () => calls('chat.postMessage').length >= 1);
    await withBillingAddress(keel, 'Acme Corp');
    await signed(dm('Invoice Acme 10 hours at 150 EUR for October consulting'), 'application/json');
    const posted = await waitFor('the card', () =>
      calls('chat.postMessage').find((c) => JSON.stringify(c.params.blocks ?? []).includes('"action_id":"approve"')),
    );
    const ref = /"action_id":"approve"[^}]*"value":"([^"]+)"/.exec(JSON.stringify(posted.params.blocks))?.[1] ?? '';
    expect((await signed(click(ref, String(posted.response.ts)), 'application/x-www-form-urlencoded')).status).toBe(200);

    const complete = await waitFor('the upload', () => calls('files.completeUploadExternal')[0]);
    expect(complete.params).toMatchObject({ channel_id: DM, initial_comment: '📎 2026-0001.pdf — Invoice 2026-0001' });
    expect(calls('files.getUploadURLExternal')[0]?.params).toMatchObject({ filename: '2026-0001.pdf' });
    expect(api.uploads[0]?.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    await waitFor('the Done line', () =>
      calls('chat.postMessage').some((c) => String(c.params.text).includes('written to the outbox folder for dana@acme.test')),
    );
  });

  it('a document asked for in a channel that is not listed goes to the DM, opened for the upload', async () => {
    await signed(event({ type: 'app_mention', channel: 'C0SHARED', user: USER, text: '<@UKEEL> /pdf 2026-0001', ts: '1700000100.000100' }), 'application/json');
    await waitFor('the second upload', () => calls('files.completeUploadExternal')[1]);
    expect(calls('conversations.open')[0]?.params).toMatchObject({ users: USER });
    expect(calls('files.completeUploadExternal')[1]?.params).toMatchObject({ channel_id: `D${USER}` });
    expect(calls('files.completeUploadExternal').every((c) => c.params.channel_id !== 'C0SHARED')).toBe(true);
  });
});
