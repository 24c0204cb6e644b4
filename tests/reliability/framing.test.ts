import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { tempDatabase } from '../support/db.js';
import { startKeel, type TestKeel } from '../support/keel.js';
import { launchChromium } from '../support/browser.js';
import { serveOnLoopback } from '../support/serve.js';

/**
 * Another page on this machine (another origin: localhost vs 127.0.0.1, or
 * another port) frames Keel's pages in real Chromium. A framed web chat would
 * put a live Approve button under a page the attacker controls (clickjacking);
 * every HTML page Keel serves must refuse to be framed.
 */
describe('3 · no page of Keel can be framed by another page', () => {
  const db = tempDatabase('keel-framing-');
  let keel: TestKeel;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serveOnLoopback>>;
  let attacker: Server;
  let attackerBase = '';

  beforeAll(async () => {
    keel = await startKeel({ url: db.url });
    server = await serveOnLoopback(keel.http);
    attacker = createServer((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '/';
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>prize</title><h1>Click to win</h1>
        <iframe id="f" width="600" height="600" src="${server.base}${target}" onload="document.body.dataset.framed = 'loaded'"></iframe>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerBase = `http://localhost:${(attacker.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => attacker?.close(done));
    await server?.close();
    keel?.close();
    db.remove();
  });

  it.each([
    ['the web chat', '/', '#compose'],
    ['the workspace', '/workspace', 'main'],
  ])('%s does not render inside another page', async (_what, path, content) => {
    // Opened directly, the page renders: the check below is not passing for want of a page.
    const own = await browser.newPage();
    await own.goto(`${server.base}${path}`);
    expect(await own.locator(content).count()).toBeGreaterThan(0);
    await own.close();

    const page = await browser.newPage();
    await page.goto(`${attackerBase}/?target=${encodeURIComponent(path)}`);
    await page.waitForFunction(() => document.body.dataset.framed === 'loaded');
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    const rendered = await frame
      .locator(content)
      .count()
      .catch(() => 0);
    console.log(`framing ${path}: frame at ${frame.url()}, ${rendered ? 'RENDERED' : 'blocked'}`);
    expect(rendered).toBe(0);
    await page.close();
  });

  it('sends the security headers on the chat page itself', async () => {
    const res = await fetch(`${server.base}/`);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
  });
});
