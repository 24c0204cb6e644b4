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

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });

/** The Web API client sends a form whose nested values (blocks) are JSON strings; decode both shapes. */
function decodeParams(contentType: string | undefined, body: string): Record<string, unknown> {
  if (contentType?.startsWith('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const nested = new Set(['blocks', 'attachments']);
  return Object.fromEntries([...new URLSearchParams(body)].map(([key, value]) => [key, nested.has(key) ? JSON.parse(value) : value]));
}

/** A stand-in for https://slack.com/api/: records every call and answers like Slack does. */
export async function fakeSlackApi(bot = { userId: 'UKEEL', botId: 'BKEEL' }) {
  const calls: SlackCall[] = [];
  let ts = 1_700_000_000;
  const server = createServer(async (req, res) => {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const params = decodeParams(req.headers['content-type'], await readBody(req));
    const answers: Record<string, Record<string, unknown>> = {
      'auth.test': { ok: true, user_id: bot.userId, bot_id: bot.botId, team_id: 'T0TEAM', user: 'keel', team: 'Test' },
      'chat.postMessage': { ok: true, channel: params.channel, ts: `${++ts}.000100` },
      'chat.update': { ok: true, channel: params.channel, ts: params.ts },
      'chat.postEphemeral': { ok: true, message_ts: `${++ts}.000200` },
    };
    const response = answers[method] ?? { ok: true };
    calls.push({ method, params, response });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
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
