import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDatabase } from './support/db.js';
import { freePort } from './support/port.js';
import { kill, runUntil } from './support/child.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('npm start', () => {
  const db = tempDatabase();
  let base = '';
  let stop = async () => {};

  beforeAll(async () => {
    const port = await freePort();
    const { child } = await runUntil(main, [], /Keel is running/, { env: { DATABASE_URL: db.url, PORT: String(port) } });
    base = `http://127.0.0.1:${port}`;
    stop = () => kill(child);
  });
  afterAll(async () => {
    await stop();
    db.remove();
  });

  it('reports the database and its migrations as ready on /healthz', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'ready', migrations: expect.any(Number) });
  });

  it('serves the web chat page', async () => {
    const res = await fetch(`${base}/`);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('<form id="compose"');
  });

  it('answers a bad request with a 4xx and a reason, changing nothing', async () => {
    const noHeader = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"x","text":"hi"}' });
    expect(noHeader.status).toBe(403);
    const headers = { 'content-type': 'application/json', 'x-keel': '1' };
    const badId = await fetch(`${base}/api/messages`, { method: 'POST', headers, body: '{"id":"x","text":"hi"}' });
    expect(badId.status).toBe(400);
    expect((await badId.json()).error).toMatch(/id must be a UUID/);
    const huge = await fetch(`${base}/api/messages`, { method: 'POST', headers, body: JSON.stringify({ id: crypto.randomUUID(), text: 'x'.repeat(40_000) }) });
    expect(huge.status).toBe(413);
    const empty = await fetch(`${base}/api/messages`, { method: 'POST', headers, body: JSON.stringify({ id: crypto.randomUUID(), text: '   ' }) });
    expect(empty.status).toBe(422);
    expect((await empty.json()).replies.join()).toContain('The message is empty.');
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    // fetch() may not set Host, so this goes through node:http as a rebinding browser's request would arrive.
    const status = await new Promise<number | undefined>((resolve, reject) =>
      request(`${base}/api/history`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end(),
    );
    expect(status).toBe(403);
  });
});
