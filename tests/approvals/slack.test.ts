import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBillingAddress } from '../support/keel.js';
import { loadConfig } from '../../src/config.js';
import { createKeel, type Keel } from '../../src/app.js';
import { nodePlatform } from '../../src/platform/node.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDatabase } from '../support/db.js';
import { fakeSlackApi, slackClickBody, slackHeaders, waitFor, type SlackCall } from '../bots/support.js';

const SECRET = 'slack-signing-secret-approvals';
const OPERATOR = 'U0OPERATOR';
const DM = 'D0OPERATOR';

type Block = { type: string; elements?: { action_id?: string; value?: string }[] };

/** Edit and Why? through the real Bolt app over signed HTTP events; the Slack Web API is a local stand-in (fakeSlackApi), as in tests/bots/slack.test.ts. */
describe('approvals on Slack', () => {
  let api: Awaited<ReturnType<typeof fakeSlackApi>>;
  let keel: Keel;
  let db: ReturnType<typeof tempDatabase>;
  let n = 0;

  const posts = () => api.calls.filter((c) => c.method === 'chat.postMessage');
  const buttonsOf = (call: SlackCall) => ((call.params.blocks ?? []) as Block[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
  const signed = (body: string, contentType: string) =>
    keel.http.request('/slack/events', {
      method: 'POST',
      headers: { host: 'keel.example.test', 'content-type': contentType, ...slackHeaders(SECRET, body) },
      body,
    });
  const dm = (text: string) =>
    signed(
      JSON.stringify({
        token: 'legacy',
        team_id: 'T0TEAM',
        api_app_id: 'A0KEEL',
        type: 'event_callback',
        event_id: `Ev${++n}`,
        event_time: 1_700_000_000,
        event: { type: 'message', channel_type: 'im', channel: DM, user: OPERATOR, text, ts: `${1_700_000_000 + n}.000100` },
      }),
      'application/json',
    );
  const click = (actionId: string, ref: string, ts: string) =>
    signed(
      slackClickBody({ apiUrl: api.url, user: OPERATOR, channel: DM, ts, actionId, value: ref, triggerId: `trigger-${++n}` }),
      'application/x-www-form-urlencoded',
    );
  const cardAfter = (from: number) =>
    waitFor('a card', () =>
      posts()
        .slice(from)
        .find((c) => buttonsOf(c).length > 0),
    );
  const textAfter = (from: number, pattern: RegExp) =>
    waitFor(`a message matching ${pattern}`, () =>
      posts()
        .slice(from)
        .find((c) => pattern.test(String(c.params.text))),
    );

  beforeAll(async () => {
    api = await fakeSlackApi();
    db = tempDatabase();
    keel = await createKeel({
      platform: nodePlatform,
      config: loadConfig({ ...db.env, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_OPERATOR_IDS: OPERATOR, SLACK_API_URL: api.url }),
      logger: silentLogger,
    });
    await keel.recover();
    await keel.startBots();
    await dm('Add Acme Corp as a client, contact dana@acme.test');
    await textAfter(0, /Acme Corp/);
    await withBillingAddress(keel, 'Acme Corp');
  });

  afterAll(async () => {
    await keel?.stopBots();
    keel?.close();
    await api?.close();
    db?.remove();
  });

  it('Why? answers inline; Edit re-plans the card; the old card answers superseded; the edited one runs once', async () => {
    let from = posts().length;
    await dm('Invoice Acme 10 hours at 150 EUR for October consulting');
    const original = await cardAfter(from);
    expect(buttonsOf(original).map((b) => b.action_id)).toEqual(['approve', 'reject', 'edit', 'why']);
    const ref = buttonsOf(original)[0]!.value!;
    const ts = String(original.response.ts);

    from = posts().length;
    await click('why', ref, ts);
    expect(String((await textAfter(from, /Evidence:/)).params.text)).toMatch(/client \[cli_\w+\]/);

    from = posts().length;
    await click('edit', ref, ts);
    await textAfter(from, /What should change/);
    from = posts().length;
    await dm('make it 12 hours');
    const replacement = await cardAfter(from);
    expect(JSON.stringify(replacement.params.blocks)).toContain('1,800.00 EUR');

    from = posts().length;
    await click('approve', ref, ts);
    await textAfter(from, /superseded/);
    await click('approve', buttonsOf(replacement)[0]!.value!, String(replacement.response.ts));
    await waitFor('the invoice', async () => Number((await keel.storage.client.execute('SELECT count(*) AS n FROM invoices')).rows[0]?.n) === 1);
    expect(Number((await keel.storage.client.execute('SELECT total_minor FROM invoices')).rows[0]?.total_minor)).toBe(180000);
  });

  it('a card approved in the web chat is updated in Slack, without its buttons', async () => {
    const from = posts().length;
    await dm('Invoice Acme 1 hour at 150 EUR for a web decision');
    const card = await cardAfter(from);
    // Keel records where a card was posted once Slack answers, then posts the line after it: decided before that, no copy is known to redraw.
    await textAfter(posts().indexOf(card) + 1, /Prepared for your approval/);
    const ref = buttonsOf(card)[0]!.value!;
    await keel.conversation.handle({
      transport: 'web',
      sender: 'web:operator',
      chat: 'web',
      eventId: `web-tap-${ref}`,
      payload: { kind: 'decision', ref, decision: 'approve' },
    });
    const update = await waitFor('the Slack copy redrawn', () => api.calls.find((c) => c.method === 'chat.update' && c.params.ts === card.response.ts));
    expect(buttonsOf(update)).toEqual([]);
    expect(String(update.params.text)).toMatch(/Approved by web:operator/);
  });
});
