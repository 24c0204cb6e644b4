import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textIn } from '../support/keel.js';
import { OPERATOR, voiceKeel } from './media-support.js';

/**
 * "Which client is it for?" answered in chat: a document sent without a
 * client is kept, and the operator's next short answer files it — through
 * grammY against the Bot API stand-in (the upload is Telegram's) and the web
 * chat (the answer can come from any transport: one thread per operator).
 */
describe('a kept document filed by the answer to "which client?"', () => {
  let t: Awaited<ReturnType<typeof voiceKeel>>;
  let n = 0;

  const documentUpdate = (fileId: string, caption?: string) => {
    const bytes = Buffer.from(`%PDF-1.4 ${fileId}`);
    t.files.files.set(fileId, bytes);
    n += 1;
    return {
      update_id: 80_000 + n,
      message: {
        message_id: 800 + n,
        date: 1_700_000_000,
        chat: { id: OPERATOR, type: 'private', first_name: 'Olga' },
        from: { id: OPERATOR, is_bot: false, first_name: 'Olga' },
        document: { file_id: fileId, file_unique_id: `u-${fileId}`, file_name: `${fileId}.pdf`, mime_type: 'application/pdf', file_size: bytes.length },
        ...(caption === undefined ? {} : { caption }),
      },
    };
  };
  const textUpdate = (text: string) => {
    n += 1;
    return {
      update_id: 80_000 + n,
      message: {
        message_id: 800 + n,
        date: 1_700_000_000,
        chat: { id: OPERATOR, type: 'private', first_name: 'Olga' },
        from: { id: OPERATOR, is_bot: false, first_name: 'Olga' },
        text,
      },
    };
  };
  const forwardUpdate = (text: string, origin: Record<string, unknown>) => {
    n += 1;
    return {
      update_id: 80_000 + n,
      message: {
        message_id: 800 + n,
        date: 1_700_000_000,
        chat: { id: OPERATOR, type: 'private', first_name: 'Olga' },
        from: { id: OPERATOR, is_bot: false, first_name: 'Olga' },
        forward_origin: { date: 1_699_999_000, ...origin },
        text,
      },
    };
  };
  const web = async (text: string) =>
    textIn(
      (
        await t.keel.conversation.handle({
          transport: 'web',
          sender: 'web:operator',
          chat: 'web',
          eventId: `web-which-${++n}`,
          payload: { kind: 'text', text },
        })
      ).replies,
    );
  const filedUnder = async (name: string) =>
    (
      await t.keel.storage.client.execute({
        sql: 'SELECT c.name AS client FROM documents d JOIN clients c ON c.id = d.client_id WHERE d.name = ?',
        args: [name],
      })
    ).rows.map((r) => r.client);

  beforeAll(async () => {
    t = await voiceKeel({});
    await web('Add Acme Corp as a client, contact dana@acme.test');
    await web('new client Beta GmbH, contact Tom Lee tom@beta.test');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('Telegram: "it\'s for Beta" files the document once, even when the answer is delivered twice', async () => {
    await t.post(documentUpdate('plain'));
    expect(t.texts().at(-1)).toMatch(
      /^I kept plain\.pdf \[file_[^\]]+\], but not under a client: It came without a caption\. Which client is it for\? Answer with the client's name/,
    );
    expect(await t.count('documents')).toBe(0);

    const answer = textUpdate("it's for Beta");
    await t.post(answer);
    await t.post(answer);
    expect(t.texts().at(-1)).toMatch(/^Filed plain\.pdf under Beta GmbH \[doc_[^\]]+\]\. Say "send me Beta GmbH's document" to get it back\.$/);
    expect(t.texts().filter((x) => x.startsWith('Filed plain.pdf'))).toHaveLength(1);
    expect(await filedUnder('plain.pdf')).toEqual(['Beta GmbH']);
    const filings = (await t.keel.kernel.list({})).filter((a) => a.operation === 'records.file_document');
    expect(filings).toHaveLength(1);
    expect(filings[0]?.evidence.filter((e) => e.startsWith('msg:telegram:'))).toHaveLength(2);
  });

  it('web: "for the Beta project" answers a caption that named no client; a second "Beta" is a request again', async () => {
    await t.post(documentUpdate('brief', 'the brief'));
    expect(t.texts().at(-1)).toContain('The caption names no client I know. Which client is it for?');
    expect(await web('for the Beta project')).toMatch(/^Filed brief\.pdf under Beta GmbH as "the brief" \[doc_[^\]]+\]\. Say "send me Beta GmbH's brief"/);
    expect(await web('Beta')).not.toContain('Filed brief.pdf');
    expect(await filedUnder('brief.pdf')).toEqual(['Beta GmbH']);
  });

  it('a message that is not an answer lets the question go: the file stays kept, unfiled', async () => {
    await t.post(documentUpdate('scan'));
    expect(await web("what's due this week?")).not.toContain('Filed');
    expect(await web('Acme')).not.toContain('Filed scan.pdf');
    expect(await filedUnder('scan.pdf')).toEqual([]);
    expect(await t.count('files')).toBe(3);
  });

  it('Telegram: a forward whose author is unknown is attributed by the answer, once, and known the next time', async () => {
    const sam = { type: 'user', sender_user: { id: 555, is_bot: false, first_name: 'Sam', last_name: 'Roe' } };
    await t.post(forwardUpdate('can we move the workshop?', sam));
    expect(t.texts().at(-1)).toContain(
      'I do not know Sam Roe yet. If they belong to a client, say "link telegram:555 to [client]" (or just the client\'s name)',
    );
    const answer = textUpdate('Acme');
    await t.post(answer);
    await t.post(answer);
    expect(t.texts().at(-1)).toMatch(
      /^Noted: Sam Roe is with Acme Corp \[[^\]]+\]; their forwarded message is Acme Corp's words, and I will know them next time\./,
    );
    expect(t.texts().filter((x) => x.startsWith('Noted: Sam Roe'))).toHaveLength(1);
    expect(await t.count('actions', "operation = 'memory.link_identity'")).toBe(1);
    await t.post(forwardUpdate('and the invoice?', sam));
    expect(t.texts().at(-1)).toContain('Forwarded from Sam Roe (Acme Corp)');
  });

  it('web: a hidden author is linked by name ("it\'s Beta"); a request instead of an answer is handled as one', async () => {
    await t.post(forwardUpdate('see you monday', { type: 'hidden_user', sender_user_name: 'Zed Quinn' }));
    expect(await web("it's Beta")).toMatch(/^Noted: Zed Quinn is with Beta GmbH/);
    await t.post(forwardUpdate('thanks!', { type: 'hidden_user', sender_user_name: 'Zed Quinn' }));
    expect(t.texts().at(-1)).toContain('Forwarded from Zed Quinn (Beta GmbH)');
    await t.post(forwardUpdate('hello', { type: 'hidden_user', sender_user_name: 'Ann Other' }));
    expect(await web("what's due this week?")).not.toContain('Noted');
    expect(await web('Beta')).not.toContain('Noted');
    expect(await t.count('actions', "operation = 'memory.link_identity'")).toBe(2);
  });
});
