import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { FILE_LINK_TTL_MS } from '../../src/bots/web/index.js';
import { tempDatabase } from '../support/db.js';
import { startKeel, withBillingAddress, type TestKeel } from '../support/keel.js';

/**
 * Files in the web chat and the workspace, through their HTTP doors (hono's in-process request): an issued
 * invoice's PDF arrives as a signed, expiring link that only the operator's seat can open.
 */
const HOST = { host: '127.0.0.1:3000' };
const JSON_HEADERS = { ...HOST, 'content-type': 'application/json', 'x-keel': '1' };

describe('files in the web chat and the workspace', () => {
  const db = tempDatabase();
  const clock = new ManualClock('2026-11-25T09:00:00Z');
  let keel: TestKeel;
  let link: string;

  const post = async (path: string, body: Record<string, unknown>) => {
    const res = await keel.http.request(path, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ id: randomUUID(), ...body }) });
    return (await res.json()) as { status: string; replies: string[] };
  };
  const say = (text: string) => post('/api/messages', { text });
  const hrefIn = (fragments: string[]) =>
    fragments
      .map((f) => /href="([^"]+)"/.exec(f)?.[1])
      .find((h) => h?.includes('/files/'))
      ?.replace(/&amp;/g, '&');
  const get = (path: string, headers: Record<string, string> = HOST) => keel.http.request(path, { headers });

  beforeAll(async () => {
    keel = await startKeel({ url: db.url, clock });
    await say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
  });
  afterAll(() => {
    keel?.close();
    db.remove();
  });

  it('approving an invoice answers with where the email went and a download link to its PDF', async () => {
    const proposed = await say('Invoice Acme 10 hours at 150 EUR for October consulting');
    const action = /data-action="(approve:[^"]+)"/.exec(proposed.replies.join(''))?.[1];
    expect(action).toBeDefined();
    const done = await post('/api/decisions', { action });
    const all = done.replies.join('\n');
    expect(all).toContain('Done — issue an invoice: invoice 2026-0001, 1,500.00 EUR — written to the outbox folder for dana@acme.test (no SMTP configured');
    expect(all).toContain('📎 2026-0001.pdf — Invoice 2026-0001');
    link = hrefIn(done.replies)!;
    expect(link).toMatch(/^\/files\/file_[^?]+\?e=\d+&s=[\w-]+$/);

    const pdf = await get(link);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toContain('attachment; filename="2026-0001.pdf"');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('refuses a link that is forged, names another file, comes from elsewhere, or has expired', async () => {
    const url = new URL(link, 'http://x');
    const forged = `${url.pathname}?e=${url.searchParams.get('e')}&s=${'A'.repeat(43)}`;
    expect((await get(forged)).status).toBe(403);
    const otherFile = `/files/file_other?${url.searchParams}`;
    expect((await get(otherFile)).status).toBe(403);
    const later = `${url.pathname}?e=${Number(url.searchParams.get('e')) + 1}&s=${url.searchParams.get('s')}`;
    expect((await get(later)).status).toBe(403);
    // Operator only: the same signed link from a non-local visitor (no web chat session) is refused before anything is read.
    expect((await get(link, { host: 'keel.example.com' })).status).toBe(403);
    clock.advance(FILE_LINK_TTL_MS + 1);
    const expired = await get(link);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');
  });

  it('draws fresh links when the chat is reloaded, and answers /pdf and "send me invoice …" with the PDF', async () => {
    const history = (await (await get('/api/history', JSON_HEADERS)).json()) as { entries: string[] };
    const fresh = hrefIn(history.entries)!;
    expect(fresh).not.toBe(link);
    expect((await get(fresh)).status).toBe(200);

    for (const ask of ['/pdf 2026-0001', 'send me invoice 2026-0001', 'show me the pdf of invoice 2026-0001']) {
      const answer = await say(ask);
      expect(answer.replies.join('\n'), ask).toContain('Invoice 2026-0001 — Acme Corp, 1,500.00 EUR, sent.');
      expect((await get(hrefIn(answer.replies)!)).status, ask).toBe(200);
    }
    expect((await say('/pdf 2026-0099')).replies.join('')).toContain('There is no invoice 2026-0099.');
  });

  it('the workspace links the PDF from the action page and serves it under its own sign-in', async () => {
    const issued = (await keel.kernel.list()).find((a) => a.operation === 'invoices.issue');
    const page = await (await get(`/workspace/actions/${issued!.id}`)).text();
    const href = /href="(\/workspace\/files\/[^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBeDefined();
    const pdf = await get(href!);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');

    // A deleted file's link answers why, not a server error.
    await keel.storage.client.execute({ sql: 'UPDATE files SET deleted_at = ?', args: [Date.now()] });
    const gone = await get(href!);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toMatch(/^There is no file file_/);
  });
});
