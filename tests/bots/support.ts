import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Polls until `check` returns something truthy; the bots reply asynchronously (polling, work after the ack). */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  response: Record<string, unknown>;
}

/** A request's body, whole. */
export const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** A multipart body's fields, read the way a server would (the Fetch API's own parser). */
export const multipart = (contentType: string, body: Buffer) =>
  new Request('http://multipart.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) }).formData();

/** The Web API client sends a form whose nested values (blocks) are JSON strings; decode both shapes. */
function decodeParams(contentType: string | undefined, body: string): Record<string, unknown> {
  if (contentType?.startsWith('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const nested = new Set(['blocks', 'attachments']);
  return Object.fromEntries([...new URLSearchParams(body)].map(([key, value]) => [key, nested.has(key) ? JSON.parse(value) : value]));
}

/**
 * A stand-in for https://slack.com/api/: records every call and answers like Slack does. File uploads
 * (files.uploadV2) take three steps: getUploadURLExternal hands out an upload URL on this server, the bytes
 * are posted there (kept in `uploads`), and completeUploadExternal shares the file into the channel.
 */
export async function fakeSlackApi(bot = { userId: 'UKEEL', botId: 'BKEEL' }) {
  const calls: SlackCall[] = [];
  const uploads: { fileId: string; bytes: Buffer }[] = [];
  let ts = 1_700_000_000;
  let files = 0;
  let base = '';
  const server = createServer(async (req, res) => {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const raw = await readBody(req);
    if (method.startsWith('upload/')) {
      const form = await multipart(req.headers['content-type'] ?? '', raw);
      const file = form.get('body');
      const bytes = file instanceof Blob ? Buffer.from(new Uint8Array(await file.arrayBuffer())) : Buffer.from(String(file));
      uploads.push({ fileId: method.slice('upload/'.length), bytes });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
      return;
    }
    const params = decodeParams(req.headers['content-type'], raw.toString());
    const fileId = `F${++files}`;
    const answers: Record<string, Record<string, unknown>> = {
      'auth.test': { ok: true, user_id: bot.userId, bot_id: bot.botId, team_id: 'T0TEAM', user: 'keel', team: 'Test' },
      'chat.postMessage': { ok: true, channel: params.channel, ts: `${++ts}.000100` },
      'chat.update': { ok: true, channel: params.channel, ts: params.ts },
      'chat.postEphemeral': { ok: true, message_ts: `${++ts}.000200` },
      'conversations.open': { ok: true, channel: { id: `D${String(params.users)}` } },
      'files.getUploadURLExternal': { ok: true, upload_url: `${base}upload/${fileId}`, file_id: fileId },
      'files.completeUploadExternal': { ok: true, files: JSON.parse(String(params.files ?? '[]')) },
    };
    const response = answers[method] ?? { ok: true };
    calls.push({ method, params, response });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}/api/`;
  return {
    url: base,
    calls,
    uploads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Signs a request body exactly as Slack does: v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>"). */
export function slackHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

/** The form body Slack posts when a button is clicked in a DM: `payload=` and a block_actions JSON. */
export function slackClickBody(opts: {
  apiUrl: string;
  user: string;
  channel: string;
  ts: string;
  actionId: string;
  value: string;
  triggerId: string;
}): string {
  const { apiUrl, user, channel, ts, actionId, value, triggerId } = opts;
  return `payload=${encodeURIComponent(
    JSON.stringify({
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), team_id: 'T0TEAM' },
      api_app_id: 'A0KEEL',
      token: 'legacy',
      team: { id: 'T0TEAM', domain: 'test' },
      trigger_id: triggerId,
      container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
      channel: { id: channel, name: 'directmessage' },
      message: { type: 'message', ts, text: 'card' },
      response_url: `${apiUrl}response`,
      actions: [{ type: 'button', action_id: actionId, block_id: 'decision', value, action_ts: `${ts}1`, text: { type: 'plain_text', text: actionId } }],
    }),
  )}`;
}
