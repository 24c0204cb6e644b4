import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../../src/core/clock.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, withBillingAddress, type TestKeel } from '../support/keel.js';
import { launchChromium, screenshotDir } from '../support/browser.js';
import { serveOnLoopback } from '../support/serve.js';

const phone = { width: 390, height: 844 };

describe('the monthly review page in a real browser', () => {
  const db = tempDatabase();
  let keel: TestKeel;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serveOnLoopback>>;
  const clock = new ManualClock('2026-10-12T09:00:00Z');

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    // The embedded default: no WEB_CHAT_TOKEN, so loopback opens the workspace without a sign-in.
    keel = await startKeel({ url: db.url, clock });
    server = await serveOnLoopback(keel.http);
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    await keel.tap(cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!.ref);
    await keel.say('draft a proposal for Beta: workshop, 10 hours at 150 EUR');
    await keel.say('mark the Beta proposal as sent');
    clock.set(new Date('2026-11-20T09:00:00Z'));
    await keel.say('Beta accepted the proposal');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    keel?.close();
    db.remove();
  });

  it('shows the chart and the figures at phone width, without sideways scrolling', async () => {
    const page = await browser.newPage({ viewport: phone });
    const res = await page.goto(`${server.base}/workspace/review`);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { name: 'November 2026, so far' }).waitFor();
    const chart = page.locator('.chart svg');
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.width).toBeLessThanOrEqual(phone.width);
    expect(await chart.getAttribute('aria-label')).toBe('Money and pipeline, September 2026, October 2026, November 2026');
    expect(await page.locator('table').first().textContent()).toContain('1,500.00 EUR');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: `${screenshotDir}/workspace-review-phone.png`, fullPage: true });
  });
});
