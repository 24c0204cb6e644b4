import { randomUUID } from 'node:crypto';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_SENDER } from '../../src/bots/web/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, type TestKeel } from '../support/keel.js';

/**
 * Confirmed expenses in the figures: receipts sent through the conversation's
 * entrance (as the chat apps hand over a photo, with its bytes), confirmed on
 * their cards, then the monthly review (/review) and the accountant export
 * (/export 2026) as the operator gets them in chat.
 */
describe('expenses in the monthly review and the accountant export', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;
  const clock = new ManualClock('2026-11-20T09:00:00Z');
  const photo = (label: string) => Buffer.from(`JPEG receipt ${label}`);

  const receipt = async (name: string, caption: string, bytes: Buffer) => {
    const sent = await keel.conversation.handle(
      {
        transport: 'web',
        sender: WEB_SENDER,
        chat: 'web',
        eventId: randomUUID(),
        payload: { kind: 'upload', file: { name, contentType: 'image/jpeg' }, caption },
      },
      { download: async () => new Uint8Array(bytes) },
    );
    const [card] = cardsIn(sent.replies);
    await keel.tap(card!.ref);
  };
  const bytesOf = async (fileId: string) => {
    const content = await keel.conversation.file(fileId);
    if (!content.ok) throw new Error(content.reason);
    return content.bytes;
  };

  beforeAll(async () => {
    db = tempDatabase('keel-expense-figures-');
    keel = await startKeel({ url: db.url, clock, env: { TZ: 'UTC', DEFAULT_CURRENCY: 'EUR' } });
    await receipt('receipt.jpg', 'receipt 19 EUR software subscription 2026-10-03', photo('software'));
    await receipt('receipt.jpg', 'receipt 42.50 EUR train to Berlin 2026-11-18', photo('train'));
    await receipt('lunch.jpg', 'receipt €12.30 lunch with Dana 2026-11-19', photo('lunch'));
    expect(await keel.count('expenses')).toBe(3);
  }, 120_000);
  afterAll(() => {
    keel.close();
    db.remove();
  });

  it('/review states what was spent per month and category, next to the money invoiced and collected', async () => {
    const text = textIn((await keel.say('/review')).replies);
    expect(text).toContain(
      [
        'Expenses (spent · by category):',
        '• September 2026: 0',
        '• October 2026: 19.00 EUR · software 19.00 EUR',
        '• November 2026: 54.80 EUR · meals 12.30 EUR, travel 42.50 EUR',
      ].join('\n'),
    );
    expect(text.indexOf('Money (invoiced')).toBeLessThan(text.indexOf('Expenses (spent'));
  });

  it('/export 2026 adds expenses-2026.csv, as a file and in the ZIP with every receipt', async () => {
    const files = (await keel.say('/export 2026')).replies.flatMap((r) => (r.kind === 'file' ? [r.file] : []));
    expect(files.map((f) => f.name)).toEqual(['invoices-2026.csv', 'invoices-2026.zip', 'expenses-2026.csv']);
    const csv = new TextDecoder().decode(await bytesOf(files[2]!.id));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('date,vendor,category,amount,currency,receipt');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^2026-10-03,software subscription,software,19\.00,EUR,receipts\/2026-10-03-exp_[^,]+-receipt\.jpg$/),
      expect.stringMatching(/^2026-11-18,train to Berlin,travel,42\.50,EUR,receipts\/2026-11-18-exp_[^,]+-receipt\.jpg$/),
      expect.stringMatching(/^2026-11-19,lunch with Dana,meals,12\.30,EUR,receipts\/2026-11-19-exp_[^,]+-lunch\.jpg$/),
    ]);
    const zip = unzipSync(await bytesOf(files[1]!.id));
    expect(zip['expenses-2026.csv']).toEqual(await bytesOf(files[2]!.id));
    const paths = lines.slice(1).map((l) => l.split(',').at(-1)!);
    expect(
      Object.keys(zip)
        .filter((p) => p.startsWith('receipts/'))
        .sort(),
    ).toEqual(paths.toSorted());
    expect(paths.map((p) => Buffer.from(zip[p]!).toString())).toEqual(['JPEG receipt software', 'JPEG receipt train', 'JPEG receipt lunch']);

    const none = (await keel.say('/export 2025')).replies.flatMap((r) => (r.kind === 'file' ? [r.file.name] : []));
    expect(none).toEqual(['invoices-2025.csv', 'invoices-2025.zip']);
  });
});
