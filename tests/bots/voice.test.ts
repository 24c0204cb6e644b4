import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBillingAddress } from '../support/keel.js';
import { fakeSlackApi, slackHeaders, waitFor } from './support.js';
import { BROKEN, recording, SILENCE, slackFiles, STRANGER, transcriptionStub, voiceKeel } from './media-support.js';

/**
 * Voice notes end to end: grammY in webhook mode against telegram-test-api
 * (behind a stand-in for getFile and the file download, which it lacks),
 * Bolt against the recorded Slack Web API stand-in and a local file host,
 * and the real transcriber against a local stand-in transcription endpoint.
 */
const SLACK_SECRET = 'slack-signing-secret-for-tests';

describe('voice notes with a transcription endpoint', () => {
  let stub: Awaited<ReturnType<typeof transcriptionStub>>;
  let t: Awaited<ReturnType<typeof voiceKeel>>;
  let slackApi: Awaited<ReturnType<typeof fakeSlackApi>>;
  let slackHost: Awaited<ReturnType<typeof slackFiles>>;

  beforeAll(async () => {
    stub = await transcriptionStub();
    slackHost = await slackFiles();
    slackApi = await fakeSlackApi();
    t = await voiceKeel({
      TRANSCRIBE_BASE_URL: stub.baseUrl,
      TRANSCRIBE_API_KEY: 'transcribe-key-voice',
      TRANSCRIBE_MODEL: 'whisper-local',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_OPERATOR_IDS: 'U0OPERATOR',
      SLACK_API_URL: slackApi.url,
    });
  });
  afterAll(async () => {
    await t?.close();
    await stub?.close();
    await slackHost?.close();
    await slackApi?.close();
  });

  it('Telegram: says what it heard, then acts on it as a typed message, citing the voice note as evidence', async () => {
    expect((await t.post(t.voiceUpdate('v-client', recording('Add Acme Corp as a client, contact dana@acme.test')))).status).toBe(200);
    expect(t.texts()[0]).toBe('🎙 I heard: Add Acme Corp as a client, contact dana@acme.test');
    expect(await t.count('clients')).toBe(1);
    await withBillingAddress(t.keel, 'Acme Corp');
    expect(stub.calls).toEqual([{ model: 'whisper-local', fileName: 'voice.ogg', authorization: 'Bearer transcribe-key-voice' }]);

    const invoice = t.voiceUpdate('v-invoice', recording('Invoice Acme 10 hours at 150 EUR for October consulting'));
    expect((await t.post(invoice)).status).toBe(200);
    expect(t.texts()).toContain('🎙 I heard: Invoice Acme 10 hours at 150 EUR for October consulting');
    expect(t.texts().some((text) => text.includes('Issue an invoice to Acme Corp'))).toBe(true);
    const evidence = (await t.keel.storage.client.execute("SELECT evidence FROM actions WHERE operation = 'invoices.issue'")).rows[0]?.evidence;
    expect(String(evidence)).toContain(`msg:telegram:update:${invoice.update_id}:voice:${invoice.message.message_id}`);
  });

  it('Telegram: too long, silent, unsupported and a failing endpoint each get a clear answer, and nothing is done', async () => {
    const before = stub.calls.length;
    const downloads = t.files.downloads.length;
    await t.post(t.voiceUpdate('v-long', recording('a very long speech'), { duration: 1200 }));
    expect(t.texts().at(-1)).toMatch(/1200 s long; Keel transcribes up to 5 minutes\. Nothing was done/);
    await t.post(t.voiceUpdate('v-wma', recording('hello'), { mime_type: 'audio/x-ms-wma' }));
    expect(t.texts().at(-1)).toMatch(/cannot transcribe audio\/x-ms-wma.*Nothing was done/);
    // Refused before a byte was fetched or sent to the endpoint.
    expect(stub.calls.length).toBe(before);
    expect(t.files.downloads.length).toBe(downloads);

    await t.post(t.voiceUpdate('v-silent', SILENCE));
    expect(t.texts().at(-1)).toMatch(/^I heard nothing in that recording/);
    await t.post(t.voiceUpdate('v-broken', BROKEN));
    expect(t.texts().at(-1)).toMatch(/^The transcription endpoint answered 500\. Nothing was done; send the voice note again later, or type it\./);
    // A 500 is retried twice before Keel gives up.
    expect(stub.calls.length).toBe(before + 1 + 3);
    expect(await t.count('actions', "operation = 'invoices.issue'")).toBe(1);
  });

  it("Telegram: a stranger's voice note is refused and never downloaded nor transcribed", async () => {
    const before = stub.calls.length;
    const downloads = t.files.downloads.length;
    expect((await t.post(t.voiceUpdate('v-stranger', recording('add Evil Corp as a client'), {}, STRANGER))).status).toBe(200);
    expect(t.texts(STRANGER)).toEqual(['Sorry, this Keel answers only its operator.']);
    expect(stub.calls.length).toBe(before);
    expect(t.files.downloads.length).toBe(downloads);
  });

  it('Slack: an audio clip in the DM is fetched with the bot token, heard and acted on', async () => {
    slackHost.files.set('/files-pri/T0TEAM-F0CLIP/audio_message.webm', recording('Add Beta GmbH as a client, contact tom@beta.test'));
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'T0TEAM',
      api_app_id: 'A0KEEL',
      type: 'event_callback',
      event_id: 'EvVoice1',
      event_time: 1_700_000_000,
      event: {
        type: 'message',
        subtype: 'file_share',
        channel_type: 'im',
        channel: 'D0OPERATOR',
        user: 'U0OPERATOR',
        text: '',
        ts: '1700000001.000100',
        files: [
          {
            id: 'F0CLIP',
            name: 'audio_message.webm',
            mimetype: 'audio/webm',
            subtype: 'slack_audio',
            size: 64,
            duration_ms: 3200,
            url_private_download: `${slackHost.url}/files-pri/T0TEAM-F0CLIP/audio_message.webm`,
          },
        ],
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
    expect(posts[0]).toBe('🎙 I heard: Add Beta GmbH as a client, contact tom@beta.test');
    expect(slackHost.downloads).toEqual([{ path: '/files-pri/T0TEAM-F0CLIP/audio_message.webm', authorization: 'Bearer xoxb-test' }]);
    expect(stub.calls.at(-1)?.fileName).toBe('voice.webm');
    await waitFor('the client', async () => (await t.count('clients', "name LIKE 'Beta%'")) === 1);
  });
});

describe('voice notes without a transcription endpoint', () => {
  let t: Awaited<ReturnType<typeof voiceKeel>>;
  beforeAll(async () => {
    t = await voiceKeel({});
  });
  afterAll(async () => t?.close());

  it('says voice needs an endpoint and how to set it, and fetches nothing', async () => {
    expect((await t.post(t.voiceUpdate('v-none', recording('Add Acme Corp as a client')))).status).toBe(200);
    expect(t.texts()).toHaveLength(1);
    expect(t.texts()[0]).toMatch(/^Voice notes need a transcription endpoint, and none is set: set TRANSCRIBE_BASE_URL .* or OPENAI_API_KEY/);
    expect(t.files.downloads).toEqual([]);
    expect(await t.count('clients')).toBe(0);
  });
});
