import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../../src/core/clock.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, withBillingAddress, type TestKeel } from '../support/keel.js';
import { launchChromium, screenshotDir } from '../support/browser.js';
import { serveOnLoopback } from '../support/serve.js';

/**
 * The workspace and the web chat on a 390 px phone, in Chromium, on the embedded default (loopback, no login):
 * every tab reachable, rows that say who/which/how much, the record as it is now, and the invoice PDF as a link.
 * Screenshots go to test-results/ (docs/screenshots only with UPDATE_SCREENSHOTS=1, scripts/screenshots.sh).
 */
const shots = screenshotDir;
const phone = { width: 390, height: 844 };

describe('a first week on a phone: the workspace and the web chat at 390 px', () => {
  const db = tempDatabase();
  let keel: TestKeel;
  let browser: Browser;
  let page: Page;
  let server: Awaited<ReturnType<typeof serveOnLoopback>>;
  const clock = new ManualClock('2026-11-25T09:00:00Z');
  const say = (text: string) => {
    clock.advance(60_000);
    return keel.say(text);
  };
  const approve = async (text: string) => {
    const [card] = cardsIn((await say(text)).replies);
    clock.advance(60_000);
    return keel.tap(card!.ref);
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    // Compacted early, so the context page has a conversation summary to show.
    keel = await startKeel({ url: db.url, clock, env: { COMPACT_AFTER_MESSAGES: '6', COMPACT_KEEP_MESSAGES: '2' } });
    server = await serveOnLoopback(keel.http);
    await say('Add Acme Corp as a client, contact dana@acme.test');
    await say('Add Beta GmbH as a client, contact tom@beta.test');
    await withBillingAddress(keel, 'Acme Corp');
    await withBillingAddress(keel, 'Beta GmbH');
    await approve('Invoice Beta 12 hours at 150 EUR for the November workshop');
    await approve('mark invoice 2026-0001 as paid');
    await approve('Invoice Acme 10 hours at 150 EUR for October consulting');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: phone });
    page.on('dialog', (dialog) => void dialog.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    keel?.close();
    db.remove();
  });

  it('shows every tab inside the screen, wrapped rather than cut off', async () => {
    await page.goto(`${server.base}/workspace`);
    const tabs = page.locator('nav a');
    expect(await tabs.allTextContents()).toEqual(['Timeline', 'Approvals', 'Agents', 'Context', 'Checkpoints', 'Exports', 'Links', 'Playbooks', 'Review']);
    for (const box of await Promise.all((await tabs.all()).map((t) => t.boundingBox()))) {
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(phone.width);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await page.getByRole('link', { name: 'Checkpoints' }).click();
    await page.getByRole('heading', { name: 'Checkpoints' }).waitFor();
    await page.screenshot({ path: `${shots}/week-checkpoints-phone.png`, fullPage: true });
  });

  it('names client, number and amount on timeline rows; a client filter finds its payment', async () => {
    await page.goto(`${server.base}/workspace`);
    const rows = await page.locator('li.entry .title').allTextContents();
    expect(rows).toContain('Record a payment — Beta GmbH, 2026-0001, 1,800.00 EUR');
    expect(rows).toContain('Issue an invoice — Acme Corp, 2026-0002, 1,500.00 EUR');
    await page.screenshot({ path: `${shots}/week-timeline-phone.png`, fullPage: true });

    await page.selectOption('select[name="client"]', { label: 'Beta GmbH' });
    await page.waitForURL(/client=/);
    const beta = await page.locator('li.entry .title').allTextContents();
    expect(beta).toContain('Record a payment — Beta GmbH, 2026-0001, 1,800.00 EUR');
    expect(beta).toContain('Issue an invoice — Beta GmbH, 2026-0001, 1,800.00 EUR');
    expect(beta.some((t) => t.includes('Acme'))).toBe(false);
  });

  it("a paid invoice's page shows it paid now, links its PDF, and offers no Compensate", async () => {
    await page.goto(`${server.base}/workspace`);
    await page.locator('li.entry .title', { hasText: 'Issue an invoice — Beta GmbH' }).click();
    await page.getByRole('heading', { name: 'Now' }).waitFor();
    expect(await page.locator('.now').textContent()).toMatch(/Invoice 2026-0001 to Beta GmbH, 1,800\.00 EUR: paid/);
    expect(await page.getByRole('button', { name: 'Compensate' }).count()).toBe(0);
    expect(await page.locator('h2:has-text("Undo") + .box').textContent()).toContain('invoice 2026-0001 is paid; record the refund first');
    const pdf = page.locator('.documents a', { hasText: '2026-0001.pdf' });
    const href = await pdf.getAttribute('href');
    const res = await page.request.get(`${server.base}${href}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    await page.screenshot({ path: `${shots}/week-why-paid-phone.png`, fullPage: true });
  });

  it('lists agent operations in words and reads the conversation summary as facts', async () => {
    await page.goto(`${server.base}/workspace/agents`);
    const sales = await page.locator('[data-agent="sales"] .chips').last().textContent();
    expect(sales).toContain('Save a client record');
    expect(await page.locator('.chips').allTextContents()).not.toContainEqual(expect.stringContaining('records.upsert_client'));
    await page.goto(`${server.base}/workspace/context`);
    const facts = await page.locator('.summary-lines li').allTextContents();
    expect(facts.length).toBeGreaterThan(0);
    expect(facts.every((f) => /^(You|Keel|Ledger): \S/.test(f))).toBe(true);
    expect(facts.join('\n')).not.toMatch(/Operator:|Effects \(from the ledger\):/);
    await page.screenshot({ path: `${shots}/week-context-phone.png`, fullPage: true });
    await page.goto(`${server.base}/workspace/checkpoints`);
    const turns = page.locator('li.checkpoint.turn');
    expect(await turns.first().textContent()).toContain('“Invoice Acme 10 hours at 150 EUR for October consulting”');
    // Internal steps stay folded until asked for.
    expect(await turns.first().locator('details.steps ol').isVisible()).toBe(false);
    await turns.first().locator('summary').click();
    expect(await turns.first().locator('details.steps ol').isVisible()).toBe(true);
  });

  it('the web chat shows the invoice PDF as a working link after approving', async () => {
    await page.goto(server.base);
    await page.fill('#text', 'Invoice Acme 2 hours at 150 EUR for a review');
    await page.press('#text', 'Enter');
    const card = page.locator('.card[data-state="awaiting_approval"]').last();
    await card.getByRole('button', { name: 'Approve' }).click();
    const link = page.locator('.msg.file a', { hasText: '2026-0003.pdf' });
    await link.waitFor();
    const res = await page.request.get(`${server.base}${await link.getAttribute('href')}`);
    expect(res.status()).toBe(200);
    expect(
      Buffer.from(await res.body())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    await page.screenshot({ path: `${shots}/week-web-chat-pdf-phone.png` });
  });
});
