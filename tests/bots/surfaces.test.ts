import { withBillingAddress } from '../support/keel.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSlackApi, slackHeaders } from './support.js';
import { OPERATOR, voiceKeel } from './media-support.js';

/**
 * The apps' own surfaces: Telegram's command menu and reply keyboard (grammY
 * against telegram-test-api, behind the stand-in that records setMyCommands),
 * Slack's App Home tab and the /keel slash command (Bolt, signed requests,
 * against the recorded Web API stand-in). All of them stay operator-only.
 */
const SLACK_SECRET = 'slack-signing-secret-for-tests';

describe("the apps' own surfaces", () => {
  let t: Awaited<ReturnType<typeof voiceKeel>>;
  let slackApi: Awaited<ReturnType<typeof fakeSlackApi>>;
  let n = 0;

  const signed = async (body: string, contentType: string) => {
    const res = await t.keel.http.request('/slack/events', {
      method: 'POST',
      headers: { host: 'keel.example.test', 'content-type': contentType, ...slackHeaders(SLACK_SECRET, body) },
      body,
    });
    await t.keel.settled();
    return res;
  };
  const homeOpened = (user: string) =>
    signed(
      JSON.stringify({
        token: 'legacy',
        team_id: 'T0TEAM',
        api_app_id: 'A0KEEL',
        type: 'event_callback',
        event_id: `EvHome${++n}`,
        event_time: 1_700_000_000,
        event: { type: 'app_home_opened', user, channel: 'D0OPERATOR', tab: 'home', event_ts: `${1_700_000_000 + n}.1` },
      }),
      'application/json',
    );
  const slash = (text: string, user = 'U0OPERATOR', channel = 'D0OPERATOR') =>
    signed(
      new URLSearchParams({
        token: 'legacy',
        team_id: 'T0TEAM',
        api_app_id: 'A0KEEL',
        channel_id: channel,
        user_id: user,
        command: '/keel',
        text,
        response_url: `${slackApi.url}response`,
        trigger_id: `trigger-slash-${++n}`,
      }).toString(),
      'application/x-www-form-urlencoded',
    );
  const calls = (method: string) => slackApi.calls.filter((c) => c.method === method);
  // The Web API client sends the view as a JSON string inside its form.
  const lastHome = () => String(calls('views.publish').at(-1)?.params.view);

  beforeAll(async () => {
    slackApi = await fakeSlackApi();
    t = await voiceKeel({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_OPERATOR_IDS: 'U0OPERATOR', SLACK_API_URL: slackApi.url });
    const web = (text: string) =>
      t.keel.conversation.handle({ transport: 'web', sender: 'web:operator', chat: 'web', eventId: `web-${++n}`, payload: { kind: 'text', text } });
    await web('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(t.keel, 'Acme Corp');
    await web('Invoice Acme 10 hours at 150 EUR for October consulting');
  });
  afterAll(async () => {
    await t?.close();
    await slackApi?.close();
  });

  it('Telegram: sets the command menu at start, and /start gives the reply keyboard of frequent commands', async () => {
    const [menu] = t.files.commands;
    expect(((menu?.commands ?? []) as { command: string }[]).map((c) => c.command)).toEqual(
      expect.arrayContaining(['pending', 'digest', 'why', 'undo', 'help']),
    );
    await t.post({
      update_id: 40_001,
      message: {
        message_id: 4001,
        date: 1_700_000_000,
        chat: { id: OPERATOR, type: 'private', first_name: 'Olga' },
        from: { id: OPERATOR, is_bot: false, first_name: 'Olga' },
        text: '/start',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    });
    const last = t.sentTo(OPERATOR).at(-1)!.message as { reply_markup?: { keyboard?: { text: string }[][]; is_persistent?: boolean } };
    expect(last.reply_markup?.keyboard).toEqual([
      [{ text: '/pending' }, { text: '/digest' }],
      [{ text: '/status' }, { text: '/help' }],
    ]);
    expect(last.reply_markup?.is_persistent).toBe(true);
  });

  it('Slack: the Home tab shows the operator today’s digest and the open card with its buttons; a stranger sees a refusal', async () => {
    expect((await homeOpened('U0OPERATOR')).status).toBe(200);
    const publish = calls('views.publish').at(-1)!;
    expect(publish.params.user_id).toBe('U0OPERATOR');
    expect(lastHome()).toContain('Digest for');
    expect(lastHome()).toContain('Issue an invoice to Acme Corp');
    expect(lastHome()).toContain('"action_id":"approve"');

    await homeOpened('U0STRANGER');
    expect(calls('views.publish').at(-1)?.params.user_id).toBe('U0STRANGER');
    expect(lastHome()).toContain('answers only its operator');
    expect(lastHome()).not.toContain('Acme');
  });

  it('Slack: Approve on the Home tab decides the card, answers in the DM and redraws the tab', async () => {
    const [card] = await t.keel.kernel.list({ states: ['awaiting_approval'] });
    const publishes = calls('views.publish').length;
    const body = `payload=${encodeURIComponent(
      JSON.stringify({
        type: 'block_actions',
        user: { id: 'U0OPERATOR', username: 'olga', team_id: 'T0TEAM' },
        api_app_id: 'A0KEEL',
        token: 'legacy',
        team: { id: 'T0TEAM', domain: 'test' },
        trigger_id: `trigger-home-${++n}`,
        container: { type: 'view', view_id: 'V0HOME' },
        view: { id: 'V0HOME', type: 'home', blocks: [] },
        actions: [
          {
            type: 'button',
            action_id: 'approve',
            block_id: 'decision',
            value: card!.cardRef,
            action_ts: '1700000000.1',
            text: { type: 'plain_text', text: 'Approve' },
          },
        ],
      }),
    )}`;
    expect((await signed(body, 'application/x-www-form-urlencoded')).status).toBe(200);
    expect(await t.count('invoices')).toBe(1);
    expect(calls('chat.postMessage').some((c) => c.params.channel === 'U0OPERATOR')).toBe(true);
    expect(calls('views.publish').length).toBe(publishes + 1);
    expect(lastHome()).not.toContain('"action_id":"approve"');
  });

  it('Slack: /keel pending and /keel digest answer in the DM; a stranger is refused and audited', async () => {
    const before = calls('chat.postMessage').length;
    expect((await slash('digest')).status).toBe(200);
    const posted = calls('chat.postMessage').slice(before);
    expect(posted[0]?.params.channel).toBe('D0OPERATOR');
    expect(String(posted[0]?.params.text)).toContain('Digest for');

    await slash('pending', 'U0OPERATOR', 'C0GENERAL');
    expect(calls('chat.postMessage').at(-1)?.params.channel).toBe('U0OPERATOR');
    expect(calls('response').at(-1)?.params).toMatchObject({ response_type: 'ephemeral', text: 'I sent you the answer in our private chat.' });

    const posts = calls('chat.postMessage').length;
    await slash('pending', 'U0STRANGER', 'C0GENERAL');
    expect(calls('chat.postMessage').length).toBe(posts);
    expect(calls('response').at(-1)?.params).toMatchObject({ response_type: 'ephemeral', text: 'Sorry, this Keel answers only its operator.' });
    expect(await t.count('audit_log', "event = 'unauthorized'")).toBeGreaterThanOrEqual(1);
  });
});
