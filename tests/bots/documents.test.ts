import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeDigest } from '../../src/jobs/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { fakeSlackApi, slackHeaders } from './support.js';
import { OPERATOR, slackFiles, STRANGER, voiceKeel } from './media-support.js';

/**
 * Documents and photos end to end: grammY in webhook mode against
 * telegram-test-api (behind the stand-in for getFile and the file download),
 * Bolt against the Slack Web API stand-in and a local file host, the real
 * files store and the offline model. A file is stored once, filed under the
 * client its caption names, and found again.
 */
const SLACK_SECRET = 'slack-signing-secret-for-tests';
const PDF = Buffer.from('%PDF-1.4\n% signed contract for Beta\n%%EOF\n');

describe('documents and photos', () => {
  let t: Awaited<ReturnType<typeof voiceKeel>>;
  let slackApi: Awaited<ReturnType<typeof fakeSlackApi>>;
  let slackHost: Awaited<ReturnType<typeof slackFiles>>;
  let n = 0;

  const documentUpdate = (fileId: string, bytes: Buffer, caption: string | undefined, media: Record<string, unknown> = {}, from = OPERATOR) => {
    t.files.files.set(fileId, bytes);
    n += 1;
    return {
      update_id: 60_000 + n,
      message: {
        message_id: 300 + n,
        date: 1_700_000_000,
        chat: { id: from, type: 'private', first_name: 'Olga' },
        from: { id: from, is_bot: false, first_name: 'Olga' },
        document: {
          file_id: fileId,
          file_unique_id: `u-${fileId}`,
          file_name: 'contract.pdf',
          mime_type: 'application/pdf',
          file_size: bytes.length,
          ...media,
        },
        ...(caption === undefined ? {} : { caption }),
      },
    };
  };
  const web = (text: string) =>
    t.keel.conversation.handle({ transport: 'web', sender: 'web:operator', chat: 'web', eventId: `web-doc-${++n}`, payload: { kind: 'text', text } });

  beforeAll(async () => {
    slackApi = await fakeSlackApi();
    slackHost = await slackFiles();
    t = await voiceKeel({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_OPERATOR_IDS: 'U0OPERATOR', SLACK_API_URL: slackApi.url });
    await web('Add Acme Corp as a client, contact dana@acme.test');
    await web('new client Beta GmbH, contact Tom Lee tom@beta.test');
  });
  afterAll(async () => {
    await t?.close();
    await slackApi?.close();
    await slackHost?.close();
  });

  it('Telegram: a PDF with a caption is stored once, filed under that client, and sent back on request', async () => {
    const update = documentUpdate('d-contract', PDF, 'signed contract for Beta');
    expect((await t.post(update)).status).toBe(200);
    await t.post(update);
    const reply = t.texts().at(-1)!;
    expect(reply).toMatch(
      /^Filed contract\.pdf under Beta GmbH as "signed contract for Beta" \[doc_[^\]]+\]\. Say "send me Beta GmbH's contract" to get it back\.$/,
    );
    expect(t.texts().filter((text) => text.startsWith('Filed contract.pdf'))).toHaveLength(1);
    expect(await t.count('files')).toBe(1);
    expect(await t.count('documents')).toBe(1);
    expect(t.files.downloads).toEqual(['d-contract']);

    const found = await web("send me Beta's contract");
    const file = found.replies.find((r) => r.kind === 'file');
    const stored = (await t.keel.storage.client.execute('SELECT id FROM files')).rows[0]?.id;
    expect(file).toEqual({ kind: 'file', file: { id: stored, name: 'contract.pdf', contentType: 'application/pdf', caption: 'signed contract for Beta' } });

    const none = await web("send me Acme's contract");
    expect(none.replies.some((r) => r.kind === 'file')).toBe(false);
    expect(JSON.stringify(none.replies)).toContain('Nothing is filed under Acme Corp yet');
  });

  it('Telegram: asks which client when the caption names none, and refuses what it does not keep', async () => {
    await t.post(documentUpdate('d-plain', Buffer.from('%PDF-1.4 brief'), undefined));
    expect(t.texts().at(-1)).toMatch(/^I kept contract\.pdf \[file_[^\]]+\], but not under a client: It came without a caption\. Which client is it for\?/);
    await t.post(documentUpdate('d-zip', Buffer.from('PK'), 'archive for Beta', { file_name: 'stuff.zip', mime_type: 'application/zip' }));
    expect(t.texts().at(-1)).toBe('Keel keeps PDFs and photos (JPEG, PNG, WebP, HEIC, GIF); stuff.zip is application/zip, so it was not kept.');
    expect(t.files.downloads).not.toContain('d-zip');
  });

  it("Telegram: a stranger's document is refused and never downloaded", async () => {
    await t.post(documentUpdate('d-stranger', PDF, 'contract for Beta', {}, STRANGER));
    expect(t.texts(STRANGER).at(-1)).toBe('Sorry, this Keel answers only its operator.');
    expect(t.files.downloads).not.toContain('d-stranger');
  });

  it('Telegram: a photo keeps its largest size', async () => {
    t.files.files.set('p-small', Buffer.from('small'));
    t.files.files.set('p-large', Buffer.from('large photo of the Acme brief'));
    await t.post({
      update_id: 61_000,
      message: {
        message_id: 6100,
        date: 1_700_000_000,
        chat: { id: OPERATOR, type: 'private', first_name: 'Olga' },
        from: { id: OPERATOR, is_bot: false, first_name: 'Olga' },
        photo: [
          { file_id: 'p-small', file_unique_id: 'us', width: 90, height: 90, file_size: 5 },
          { file_id: 'p-large', file_unique_id: 'ul', width: 1280, height: 1280, file_size: 29 },
        ],
        caption: 'Acme brief',
      },
    });
    expect(t.texts().at(-1)).toMatch(/^Filed photo-6100\.jpg under Acme Corp as "Acme brief"/);
    expect(t.files.downloads.at(-1)).toBe('p-large');
  });

  it('Telegram: a receipt photo with a caption becomes an expense confirmed on a card, and the digest counts it', async () => {
    const receipt = (id: number, caption: string) => {
      t.files.files.set(`r-${id}`, Buffer.from(`receipt photo ${id}`));
      return t.post({
        update_id: 62_000 + id,
        message: {
          message_id: 6200 + id,
          date: 1_700_000_000,
          chat: { id: OPERATOR, type: 'private', first_name: 'Olga' },
          from: { id: OPERATOR, is_bot: false, first_name: 'Olga' },
          photo: [{ file_id: `r-${id}`, file_unique_id: `ur-${id}`, width: 1280, height: 1280, file_size: 16 }],
          caption,
        },
      });
    };
    await receipt(1, 'receipt 42.50 EUR train to Berlin 2026-11-27');
    const texts = t.texts();
    expect(texts.at(-2)).toBe('I read the receipt as 42.50 EUR, train to Berlin, 2026-11-27 (travel). Confirm it on the card, or tap Edit to correct it.');
    expect(texts.at(-1)).toContain('Record an expense: 42.50 EUR, train to Berlin');
    expect(await t.count('expenses')).toBe(0);
    const [pending] = await t.keel.kernel.list({ states: ['awaiting_approval'] });
    expect(pending?.operation).toBe('records.add_expense');
    await t.keel.conversation.handle({
      transport: 'web',
      sender: 'web:operator',
      chat: 'web',
      eventId: 'approve-expense',
      payload: { kind: 'decision', ref: pending!.cardRef!, decision: 'approve' },
    });
    const row = (await t.keel.storage.client.execute('SELECT amount_minor, currency, spent_on, vendor, category, file_id FROM expenses')).rows[0];
    expect(row).toMatchObject({ amount_minor: 4250, currency: 'EUR', spent_on: '2026-11-27', vendor: 'train to Berlin', category: 'travel' });
    expect(String(row?.file_id)).toMatch(/^file_/);

    await receipt(2, 'receipt from the bakery');
    expect(t.texts().at(-1)).toMatch(/its caption states no amount, so no expense was recorded/);

    const digest = await composeDigest({
      db: t.keel.storage.db,
      kernel: t.keel.kernel,
      clock: new ManualClock('2026-11-28T09:00:00Z'),
      timeZone: 'UTC',
    });
    const body = digest.map((m) => (m.kind === 'text' ? m.text : '')).join('\n');
    expect(body).toContain('Expenses this month: 42.50 EUR (1 receipt)\n• 2026-11-27 train to Berlin: 42.50 EUR (travel)');
  });

  it('Slack: a PDF shared in the DM is fetched with the bot token and filed by its message', async () => {
    slackHost.files.set('/files-pri/T0TEAM-F0NDA/nda.pdf', Buffer.from('%PDF-1.4 nda'));
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'T0TEAM',
      api_app_id: 'A0KEEL',
      type: 'event_callback',
      event_id: 'EvFile1',
      event_time: 1_700_000_000,
      event: {
        type: 'message',
        subtype: 'file_share',
        channel_type: 'im',
        channel: 'D0OPERATOR',
        user: 'U0OPERATOR',
        text: 'NDA with Acme',
        ts: '1700000003.000100',
        files: [
          { id: 'F0NDA', name: 'nda.pdf', mimetype: 'application/pdf', size: 12, url_private_download: `${slackHost.url}/files-pri/T0TEAM-F0NDA/nda.pdf` },
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
    expect(posts.at(-1)).toMatch(/^Filed nda\.pdf under Acme Corp as "NDA with Acme"/);
    expect(slackHost.downloads).toEqual([{ path: '/files-pri/T0TEAM-F0NDA/nda.pdf', authorization: 'Bearer xoxb-test' }]);
    const found = await web('send me the NDA for Acme');
    expect(found.replies.find((r) => r.kind === 'file')).toMatchObject({ file: { name: 'nda.pdf', caption: 'NDA with Acme' } });
  });
});
