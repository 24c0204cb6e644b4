import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { tempDatabase } from '../support/db.js';
import { startKeel, withBillingAddress, type TestKeel } from '../support/keel.js';
import { launchChromium, screenshotDir } from '../support/browser.js';
import { serveOnLoopback } from '../support/serve.js';

const shots = screenshotDir;

describe('the web chat in a real browser', () => {
  const db = tempDatabase();
  let keel: TestKeel;
  let browser: Browser;
  let page: Page;
  let server: Awaited<ReturnType<typeof serveOnLoopback>>;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    keel = await startKeel({ url: db.url });
    server = await serveOnLoopback(keel.http);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(server.base);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    keel?.close();
    db.remove();
  });

  const send = async (text: string) => {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  };

  it('sends messages, shows an approval card, and carries it out on Approve', async () => {
    await send('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    await page.getByText('Added client Acme Corp').waitFor();

    await send('Invoice Acme 10 hours at 150 EUR for October consulting');
    const card = page.locator('.card').first();
    await card.getByRole('button', { name: 'Approve' }).waitFor();
    expect(await card.textContent()).toContain('1,500.00 EUR');
    await page.screenshot({ path: `${shots}/web-chat-card-phone.png` });

    await card.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Done — issue an invoice: invoice 2026-0001').waitFor();
    expect(await page.locator('.card .status').first().textContent()).toMatch(/Approved by web:operator .* done/);
    expect(await page.locator('.card button').count()).toBe(0);
    expect(await keel.count('invoices')).toBe(1);
    await page.screenshot({ path: `${shots}/web-chat-approved-phone.png` });
  });

  it('shows the same conversation, with current card states, after a reload', async () => {
    await page.reload();
    await page.getByText('Done — issue an invoice: invoice 2026-0001').waitFor();
    expect(await page.locator('.card').count()).toBe(1);
    expect(await page.locator('.card').first().getAttribute('data-state')).toBe('succeeded');
  });

  it('rejects from the page and nothing is created', async () => {
    await send('Invoice Acme 2 hours at 150 EUR for a call');
    const card = page.locator('.card[data-state="awaiting_approval"]');
    await card.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Rejected — issue an invoice. Nothing was done.').waitFor();
    expect(await keel.count('invoices')).toBe(1);
  });
});
