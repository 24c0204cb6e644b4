import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recording, transcriptionStub, voiceKeel } from '../bots/media-support.js';

/**
 * Phone input under re-delivery: Telegram sends an update again when it
 * thinks the webhook missed it (a slow answer, a restart). A voice note
 * delivered twice — also after Keel forgot the first delivery, as recovery
 * does for a crashed process — is transcribed once, shown once and acted on
 * once. The transcription endpoint is a local stand-in (tests/bots/media-support.ts).
 */
describe('a re-delivered voice note', () => {
  let stub: Awaited<ReturnType<typeof transcriptionStub>>;
  let t: Awaited<ReturnType<typeof voiceKeel>>;
  beforeAll(async () => {
    stub = await transcriptionStub();
    t = await voiceKeel({ TRANSCRIBE_BASE_URL: stub.baseUrl });
    await t.keel.conversation.handle({
      transport: 'web',
      sender: 'web:operator',
      chat: 'web',
      eventId: 'seed-client',
      payload: { kind: 'text', text: 'Add Acme Corp as a client, contact dana@acme.test' },
    });
  });
  afterAll(async () => {
    await t?.close();
    await stub?.close();
  });

  it('is transcribed once and proposes one invoice, however often it arrives', async () => {
    const update = t.voiceUpdate('v-twice', recording('Invoice Acme 10 hours at 150 EUR for October consulting'));
    const answers = await Promise.all([t.post(update), t.post(update)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await t.post(update);
    expect(stub.calls).toHaveLength(1);
    expect(t.texts().filter((text) => text.startsWith('🎙 I heard'))).toHaveLength(1);
    expect(await t.count('actions', "operation = 'invoices.issue'")).toBe(1);

    // A crashed process's unfinished event is forgotten by recovery; here the inbox row goes the same way, and the
    // re-delivery is handled again: its words come from the stored transcript, and the kernel's key recognises the invoice.
    await t.keel.storage.client.execute("DELETE FROM inbox WHERE transport = 'telegram'");
    await t.post(update);
    expect(stub.calls).toHaveLength(1);
    expect(await t.count('actions', "operation = 'invoices.issue'")).toBe(1);
    expect(await t.count('voice_transcripts')).toBe(1);
  });
});
