import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBillingAddress } from '../support/keel.js';
import { loadConfig } from '../../src/config.js';
import { createKeel, type Keel } from '../../src/app.js';
import { nodePlatform } from '../../src/platform/node.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { tempDatabase } from '../support/db.js';
import { sendDigest } from '../../src/jobs/index.js';
import { systemClock } from '../../src/core/clock.js';
import { fakeSlackApi, slackHeaders, waitFor, type SlackCall } from './support.js';

const SECRET = 'slack-signing-secret-for-tests';
const OPERATOR = 'U0OPERATOR';
const STRANGER = 'U0STRANGER';
const DM = 'D0OPERATOR';

type Block = { type: string; elements?: { action_id?: string; value?: string }[]; text?: { text: string } };

describe('Slack app over HTTP events, with the real Bolt app', () => {
  let api: Awaited<ReturnType<typeof fakeSlackApi>>;
  let keel: Keel;
  let db: ReturnType<typeof tempDatabase>;
  let eventCount = 0;
  let card: { ts: string; ref: string };

  const count = async (table: string, where = 'true') =>
    Number((await keel.storage.client.execute(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0]?.n);
  const invoiceActions = () => count('actions', "operation = 'invoices.issue'");
  const calls = (method: string) => api.calls.filter((c) => c.method === method);
  const texts = (method = 'chat.postMessage') => calls(method).map((c) => String(c.params.text));
  const blocksOf = (call: SlackCall) => (call.params.blocks ?? []) as Block[];
  const buttonsOf = (call: SlackCall) => blocksOf(call).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));

  const send = (body: string, headers: Record<string, string>) =>
    keel.http.request('/slack/events', { method: 'POST', headers: { host: 'keel.example.test', ...headers }, body });
  const signed = (body: string, contentType: string, extra: Record<string, string> = {}) =>
    send(body, { 'content-type': contentType, ...slackHeaders(SECRET, body), ...extra });

  const eventBody = (event: Record<string, unknown>, eventId = `Ev${++eventCount}`) =>
    JSON.stringify({ token: 'legacy', team_id: 'T0TEAM', api_app_id: 'A0KEEL', type: 'event_callback', event_id: eventId, event_time: 1_700_000_000, event });
  const dm = (text: string, user = OPERATOR, channel = DM) => ({
    type: 'message',
    channel_type: 'im',
    channel,
    user,
    text,
    ts: `${1_700_000_000 + eventCount}.000100`,
  });
  const click = (actionId: 'approve' | 'reject', ref: string, ts: string, user = OPERATOR) =>
    `payload=${encodeURIComponent(
      JSON.stringify({
        type: 'block_actions',
        user: { id: user, username: user.toLowerCase(), team_id: 'T0TEAM' },
        api_app_id: 'A0KEEL',
        token: 'legacy',
        team: { id: 'T0TEAM', domain: 'test' },
        trigger_id: `trigger-${++eventCount}`,
        container: { type: 'message', message_ts: ts, channel_id: DM, is_ephemeral: false },
        channel: { id: DM, name: 'directmessage' },
        message: { type: 'message', ts, text: 'card' },
        response_url: `${api.url}response`,
        actions: [
          {
            type: 'button',
            action_id: actionId,
            block_id: 'decision',
            value: ref,
            action_ts: `${1_700_000_000 + eventCount}.1`,
            text: { type: 'plain_text', text: actionId },
          },
        ],
      }),
    )}`;
  const form = 'application/x-www-form-urlencoded';
  const json = 'application/json';

  beforeAll(async () => {
    api = await fakeSlackApi();
    db = tempDatabase();
    keel = await createKeel({
      platform: nodePlatform,
      config: loadConfig({ ...db.env, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_OPERATOR_IDS: OPERATOR, SLACK_API_URL: api.url }),
      logger: process.env.DEBUG_BOTS ? createLogger({ level: 'debug' }) : silentLogger,
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

  it('answers Slack URL verification when signed', async () => {
    const response = await signed(JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'legacy' }), json);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'c-123' });
  });

  it('refuses forged, stale and unsigned requests with 401 and no effect', async () => {
    const body = eventBody(dm('Add Acme Corp as a client, contact dana@acme.test'));
    const forged = { 'content-type': json, ...slackHeaders('not-the-secret', body) };
    const stale = { 'content-type': json, ...slackHeaders(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60) };
    const tampered = { 'content-type': json, ...slackHeaders(SECRET, body) };
    expect((await send(body, forged)).status).toBe(401);
    expect((await send(body, stale)).status).toBe(401);
    expect((await send(body, { 'content-type': json })).status).toBe(401);
    expect((await send(body.replace('Acme', 'Evil'), tampered)).status).toBe(401);
    expect((await send(click('approve', 'AAAAAAAAAAAAAAAAAAAAAA', '1.1'), { 'content-type': form })).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(api.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
    expect(await count('inbox')).toBe(0);
    expect(await count('clients')).toBe(0);
  });

  it('turns a direct message into an intent and posts the card as Block Kit with Approve/Reject', async () => {
    expect((await signed(eventBody(dm('Add Acme Corp as a client, contact dana@acme.test')), json)).status).toBe(200);
    await waitFor('the client reply', () => calls('chat.postMessage').length >= 1);
    expect(await count('clients')).toBe(1);
    await withBillingAddress(keel, 'Acme Corp');

    const invoice = eventBody(dm('Invoice Acme 10 hours at 150 EUR for October consulting'), 'EvInvoice');
    expect((await signed(invoice, json)).status).toBe(200);
    const posted = await waitFor('the card', () => calls('chat.postMessage').find((c) => buttonsOf(c).length > 0));
    expect(posted.params.channel).toBe(DM);
    expect(String(posted.params.text)).toContain('Issue an invoice to Acme Corp');
    expect(JSON.stringify(blocksOf(posted))).toContain('1,500.00 EUR');
    const [approve, reject] = buttonsOf(posted);
    expect(approve).toMatchObject({ action_id: 'approve' });
    expect(reject).toMatchObject({ action_id: 'reject', value: approve!.value });
    card = { ts: String(posted.response.ts), ref: approve!.value! };

    // Slack retries an event it thinks was lost, with the same event_id and X-Slack-Retry-Num.
    expect((await signed(invoice, json, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    const before = calls('chat.postMessage').length;
    expect((await signed(eventBody(dm('help')), json)).status).toBe(200);
    await waitFor('the help reply', () => calls('chat.postMessage').length > before);
    expect(calls('chat.postMessage').filter((c) => buttonsOf(c).length > 0)).toHaveLength(1);
    expect(await invoiceActions()).toBe(1);
  });

  it('refuses a stranger: an ephemeral note, and their click changes nothing', async () => {
    expect((await signed(eventBody(dm('Invoice Acme 99 hours at 500 EUR', STRANGER, 'D0STRANGER')), json)).status).toBe(200);
    expect((await signed(click('approve', card.ref, card.ts, STRANGER), form)).status).toBe(200);
    await waitFor('two refusals', () => calls('chat.postEphemeral').length >= 2);
    expect(calls('chat.postEphemeral').map((c) => [c.params.user, c.params.text])).toEqual(
      Array(2).fill([STRANGER, 'Sorry, this Keel answers only its operator.']),
    );
    expect(calls('chat.update')).toEqual([]);
    expect(await count('invoices')).toBe(0);
  });

  it('acknowledges a click at once, then updates the card with the decision', async () => {
    const started = Date.now();
    const response = await signed(click('approve', card.ref, card.ts), form);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    const update = await waitFor('the card update', () => calls('chat.update')[0]);
    expect(update.params).toMatchObject({ channel: DM, ts: card.ts });
    expect(buttonsOf(update)).toEqual([]);
    expect(JSON.stringify(blocksOf(update))).toMatch(/Approved by slack:U0OPERATOR at \d{4}-\d\d-\d\d \d\d:\d\d UTC — done/);
    await waitFor('the report', () => texts().some((t) => t.includes('invoice 2026-0001, 1,500.00 EUR')));
    expect(await count('invoices')).toBe(1);
  });

  it('a second click does nothing new', async () => {
    expect((await signed(click('approve', card.ref, card.ts), form)).status).toBe(200);
    await waitFor('the note', () => texts().some((t) => /Already approved by slack:U0OPERATOR/.test(t)));
    expect(await count('invoices')).toBe(1);
  });

  it('sends the daily digest to the operator as Block Kit, with working buttons on its cards', async () => {
    expect((await signed(eventBody(dm('Invoice Acme 3 hours at 150 EUR for a review')), json)).status).toBe(200);
    await waitFor('the second card', () => calls('chat.postMessage').filter((c) => buttonsOf(c).length > 0).length >= 2);
    const before = calls('chat.postMessage').length;
    await sendDigest({ db: keel.storage.db, kernel: keel.kernel, clock: systemClock, timeZone: 'UTC', digestTime: '08:00' });
    const digest = await waitFor('the digest', () =>
      calls('chat.postMessage')
        .slice(before)
        .find((c) => String(c.params.text).startsWith('Digest for')),
    );
    expect(digest.params.channel).toBe(OPERATOR);
    const digestCard = await waitFor('the digest card', () =>
      calls('chat.postMessage')
        .slice(before)
        .find((c) => buttonsOf(c).length > 0),
    );
    const ref = buttonsOf(digestCard)[0]!.value!;
    expect((await signed(click('approve', ref, String(digestCard.response.ts)), form)).status).toBe(200);
    await waitFor('the invoice from the digest card', async () => (await count('invoices')) === 2);
  });
});
