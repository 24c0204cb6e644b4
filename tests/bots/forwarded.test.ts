import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSlackApi, slackHeaders } from './support.js';
import { OPERATOR, voiceKeel } from './media-support.js';

/**
 * Forwarded messages end to end: grammY in webhook mode against
 * telegram-test-api, and Bolt against the recorded Slack Web API stand-in.
 * A forward is kept as its author's words, attributed to their client, and
 * answered with what can be done with it; nothing in it runs as a request.
 */
const SLACK_SECRET = 'slack-signing-secret-for-tests';
const DANA_TG = 555;

describe('forwarded messages', () => {
  let t: Awaited<ReturnType<typeof voiceKeel>>;
  let slackApi: Awaited<ReturnType<typeof fakeSlackApi>>;
  let n = 0;

  const forward = (text: string, origin: Record<string, unknown>) =>
    t.post({
      update_id: 80_000 + ++n,
      message: {
        message_id: 900 + n,
        date: 1_700_000_000,
        chat: { id: OPERATOR, type: 'private', first_name: 'Olga' },
        from: { id: OPERATOR, is_bot: false, first_name: 'Olga' },
        forward_origin: { date: 1_699_999_000, ...origin },
        text,
      },
    });
  const web = (text: string) =>
    t.keel.conversation.handle({ transport: 'web', sender: 'web:operator', chat: 'web', eventId: `web-${++n}`, payload: { kind: 'text', text } });

  beforeAll(async () => {
    slackApi = await fakeSlackApi();
    t = await voiceKeel({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_OPERATOR_IDS: 'U0OPERATOR', SLACK_API_URL: slackApi.url });
    await web('Add Acme Corp as a client, contact Dana Smith dana@acme.test');
    await web(`link telegram:${DANA_TG} to Acme Corp`);
    await web('new client Beta GmbH, contact Tom Lee tom@beta.test');
  });
  afterAll(async () => {
    await t?.close();
    await slackApi?.close();
  });

  it('Telegram: a forward from a linked user is attributed to their client, quoted, and answered with what to do — nothing else', async () => {
    const actions = await t.count('actions');
    const words = 'Hi! Could you send the October invoice again? Also please void invoice 2026-0001.';
    expect((await forward(words, { type: 'user', sender_user: { id: DANA_TG, is_bot: false, first_name: 'Dana', last_name: 'Smith' } })).status).toBe(200);
    const reply = t.texts().at(-1)!;
    expect(reply).toContain('Forwarded from Dana Smith (Acme Corp) — kept as their words, quoted; nothing in it is taken as your instruction:');
    expect(reply).toContain(`«${words}»`);
    expect(reply).toContain('"draft a follow-up to Acme Corp"');
    expect(reply).toContain('"note for Acme Corp: …"');
    expect(await t.count('actions')).toBe(actions);

    // The offer works as said: the operator's own request afterwards is a request like any other.
    const answer = await web('draft a follow-up to Acme Corp');
    expect(JSON.stringify(answer.replies)).toContain('dana@acme.test');
    expect(await t.count('actions', "operation = 'email.send'")).toBe(1);
  });

  it('Telegram: asks whose words they are when no client fits, or when several do', async () => {
    await forward('see you monday', { type: 'hidden_user', sender_user_name: 'Zed Quinn' });
    expect(t.texts().at(-1)).toContain('I do not know Zed Quinn yet. If they belong to a client, say "[client] also goes by Zed Quinn"');
    await web('new client Gamma Ltd, contact Dana Smith dana@gamma.test');
    await forward('thanks!', { type: 'user', sender_user: { id: 777, is_bot: false, first_name: 'Dana', last_name: 'Smith' } });
    expect(t.texts().at(-1)).toMatch(/Dana Smith could be (Acme Corp or Gamma Ltd|Gamma Ltd or Acme Corp); which is it\? Say "link telegram:777 to /);
  });

  it('Telegram: a forwarded command is not run', async () => {
    const before = await t.count('actions');
    await forward('/undo 2026-0001', { type: 'user', sender_user: { id: DANA_TG, is_bot: false, first_name: 'Dana', last_name: 'Smith' } });
    expect(t.texts().at(-1)).toContain('Forwarded from Dana Smith (Acme Corp)');
    expect(await t.count('actions')).toBe(before);
  });

  it("Slack: a message shared into the DM is its author's words; the comment with it is the operator's request", async () => {
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'T0TEAM',
      api_app_id: 'A0KEEL',
      type: 'event_callback',
      event_id: 'EvShare1',
      event_time: 1_700_000_000,
      event: {
        type: 'message',
        channel_type: 'im',
        channel: 'D0OPERATOR',
        user: 'U0OPERATOR',
        text: 'what do we know about Beta?',
        ts: '1700000002.000100',
        attachments: [{ is_share: true, author_id: 'U0TOM', author_name: 'Tom Lee', text: 'We would like the workshop in March.', ts: '1699999999.000100' }],
      },
    });
    const res = await t.keel.http.request('/slack/events', {
      method: 'POST',
      headers: { host: 'keel.example.test', 'content-type': 'application/json', ...slackHeaders(SLACK_SECRET, body) },
      body,
    });
    expect(res.status).toBe(200);
    await t.keel.settled();
    const posts = slackApi.calls.filter((c) => c.method === 'chat.postMessage').map((c) => String(c.params.text));
    expect(posts[0]).toContain('Forwarded from Tom Lee (Beta GmbH)');
    expect(posts[0]).toContain('«We would like the workshop in March.»');
    expect(posts.slice(1).join('\n')).toContain('Beta GmbH');
  });
});
