import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import TelegramServer from 'telegram-test-api';
import { loadConfig } from '../../src/config.js';
import { createKeel } from '../../src/app.js';
import { nodePlatform } from '../../src/platform/node.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { tempDatabase } from '../support/db.js';
import { freePort } from '../support/port.js';

const readBytes = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const closing = (server: Server) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** The words a test recording "says": the stub below hears exactly the bytes' text. */
export const recording = (words: string) => Buffer.from(`SAY:${words}`);
/** A recording the stub hears as silence. */
export const SILENCE = Buffer.from('SILENCE');
/** A recording the stub always answers with a 500, as an endpoint that is down. */
export const BROKEN = Buffer.from('BROKEN');

export interface TranscriptionCall {
  model: string;
  fileName: string;
  authorization: string | undefined;
}

/**
 * A stand-in for an OpenAI-compatible `/v1/audio/transcriptions` endpoint (a
 * mock: no local whisper server runs here, and none may be downloaded). It
 * reads the real multipart upload the transcriber sends and "hears" the text
 * the test put in the file, so every call and its words are checkable.
 */
export async function transcriptionStub() {
  const calls: TranscriptionCall[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBytes(req);
    if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') {
      res.writeHead(404).end('{"error":{"message":"not found"}}');
      return;
    }
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
    const file = form.get('file') as File;
    const text = Buffer.from(await file.arrayBuffer()).toString();
    calls.push({ model: String(form.get('model')), fileName: file.name, authorization: req.headers.authorization });
    if (text === 'BROKEN') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"model crashed"}}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: text.startsWith('SAY:') ? text.slice(4) : '' }));
  });
  const url = await listen(server);
  return { baseUrl: `${url}/v1`, calls, close: closing(server) };
}

/**
 * A stand-in for the Bot API routes telegram-test-api lacks — getFile, the
 * file download under `/file/bot<token>/` and setMyCommands — in front of it: every other call
 * (getMe, setWebhook, sendMessage…) is passed on to the emulator unchanged.
 */
export async function telegramFiles(emulatorUrl: string) {
  const files = new Map<string, Buffer>();
  const downloads: string[] = [];
  const commands: Record<string, unknown>[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBytes(req);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const download = /^\/file\/bot[^/]+\/voice\/(.+)$/.exec(url.pathname);
    if (download) {
      const bytes = files.get(download[1]!);
      downloads.push(download[1]!);
      if (!bytes) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
      return;
    }
    // telegram-test-api answers setMyCommands with an error; here it is recorded, as the Bot API would take it.
    if (/^\/bot[^/]+\/setMyCommands$/.test(url.pathname)) {
      commands.push(JSON.parse(body.toString() || '{}') as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"result":true}');
      return;
    }
    if (/^\/bot[^/]+\/getFile$/.test(url.pathname)) {
      const fileId = String((JSON.parse(body.toString() || '{}') as { file_id?: string }).file_id);
      const known = files.has(fileId);
      res.writeHead(known ? 200 : 400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          known
            ? { ok: true, result: { file_id: fileId, file_unique_id: `u-${fileId}`, file_size: files.get(fileId)!.length, file_path: `voice/${fileId}` } }
            : { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' },
        ),
      );
      return;
    }
    const answer = await fetch(`${emulatorUrl}${url.pathname}${url.search}`, {
      method: req.method ?? 'POST',
      headers: req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {},
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(body),
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
  });
  const apiRoot = await listen(server);
  return { apiRoot, files, downloads, commands, close: closing(server) };
}

/** Slack's file host stand-in: serves url_private downloads and records the Authorization each one carried. */
export async function slackFiles() {
  const files = new Map<string, Buffer>();
  const downloads: { path: string; authorization: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    downloads.push({ path, authorization: req.headers.authorization });
    const bytes = files.get(path);
    // Slack answers a download without the bot token with its login page; a 403 says the same here.
    if (!bytes || req.headers.authorization !== 'Bearer xoxb-test') res.writeHead(bytes ? 403 : 404).end();
    else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
  });
  const url = await listen(server);
  return { url, files, downloads, close: closing(server) };
}

export const TOKEN = '123456:keel-voice';
export const SECRET = 'webhook-secret-voice-0123456789';
export const OPERATOR = 4242;
export const STRANGER = 999;

type Sent = { message: { chat_id: number | string; text: string; reply_markup?: unknown } };

/**
 * A Keel on Telegram in webhook mode, grammY's API root pointed at the files
 * stand-in in front of telegram-test-api; updates are posted to its webhook
 * as Telegram would post them, so a test can post one update twice.
 */
export async function voiceKeel(env: Record<string, string>) {
  const telegram = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 600 });
  await telegram.start();
  const files = await telegramFiles(telegram.config.apiURL);
  const db = tempDatabase('keel-voice-');
  const keel = await createKeel({
    platform: nodePlatform,
    config: loadConfig({
      ...db.env,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_OPERATOR_IDS: String(OPERATOR),
      TELEGRAM_API_ROOT: files.apiRoot,
      TELEGRAM_WEBHOOK_URL: 'https://keel.example.test/telegram/webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      ...env,
    }),
    logger: process.env.DEBUG_BOTS ? createLogger({ level: 'debug' }) : silentLogger,
  });
  await keel.recover();
  await keel.startBots();
  let update = 0;
  /** Posts a voice update as Telegram would; `again` posts that same update a second time. */
  const post = (body: unknown) =>
    keel.http.request('/telegram/webhook', {
      method: 'POST',
      headers: { host: 'keel.example.test', 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(body),
    });
  const voiceUpdate = (fileId: string, bytes: Buffer, media: Record<string, unknown> = {}, from = OPERATOR) => {
    files.files.set(fileId, bytes);
    update += 1;
    return {
      update_id: 70_000 + update,
      message: {
        message_id: 500 + update,
        date: 1_700_000_000,
        chat: { id: from, type: 'private', first_name: 'Olga' },
        from: { id: from, is_bot: false, first_name: 'Olga' },
        voice: { file_id: fileId, file_unique_id: `uniq-${fileId}`, duration: 4, mime_type: 'audio/ogg', file_size: bytes.length, ...media },
      },
    };
  };
  const sentTo = (chat: number) => (telegram.storage.botMessages as unknown as Sent[]).filter((m) => String(m.message.chat_id) === String(chat));
  const texts = (chat = OPERATOR) => sentTo(chat).map((m) => m.message.text);
  const count = async (table: string, where = 'true') =>
    Number((await keel.storage.client.execute(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0]?.n);
  const close = async () => {
    await keel.stopBots();
    keel.close();
    await files.close();
    await telegram.stop();
    db.remove();
  };
  return { keel, telegram, files, post, voiceUpdate, sentTo, texts, count, close };
}
