import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../../src/core/clock.js';
import { tempDatabase } from '../support/db.js';
import { startKeel, textIn, type TestKeel, withBillingAddress } from '../support/keel.js';
import { launchChromium, screenshotDir } from '../support/browser.js';
import { serveOnLoopback } from '../support/serve.js';

// Shown in the README (refreshed with UPDATE_SCREENSHOTS=1), so they are taken at a fixed clock.
const shots = screenshotDir;
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 900 };

describe('the workspace in a real browser', () => {
  const db = tempDatabase();
  let keel: TestKeel;
  let browser: Browser;
  let page: Page;
  let server: Awaited<ReturnType<typeof serveOnLoopback>>;
  // A minute between steps, so the timeline reads in order.
  const clock = new ManualClock('2026-11-25T09:00:00Z');
  const say = (text: string) => {
    clock.advance(60_000);
    return keel.say(text);
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    // With a web chat token, loopback is no longer enough: the workspace wants a login link.
    keel = await startKeel({ url: db.url, clock, env: { WEB_CHAT_TOKEN: 'web-chat-token-0123456789' } });
    server = await serveOnLoopback(keel.http);
    await say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    await say('New project Website redesign for Acme');
    await say('Task: send the draft to Dana by Friday');
    await say('Invoice Acme 10 hours at 150 EUR for October consulting');
    await say('book a call with Dana tomorrow at 10:00');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: phone });
    // Pause and Compensate ask before they act.
    page.on('dialog', (dialog) => void dialog.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    keel?.close();
    db.remove();
  });

  it('refuses a visit without a session', async () => {
    const res = await page.goto(`${server.base}/workspace/approvals`);
    expect(res?.status()).toBe(401);
    await page.getByText('Send /workspace to Keel').waitFor();
  });

  it('opens through the one-time link /workspace sends', async () => {
    const reply = textIn((await keel.say('/workspace')).replies);
    const path = /\/workspace\/login\?t=\S+/.exec(reply)?.[0];
    expect(path).toBeTruthy();
    await page.goto(`${server.base}${path}`);
    await page.getByRole('button', { name: 'Open the workspace' }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(await page.locator('header .who').textContent()).toContain('web:operator');
  });

  it('approves a pending action from the queue and shows it done in the timeline', async () => {
    await page.getByRole('link', { name: /Approvals/ }).click();
    const card = page.locator('li.approval').first();
    await card.getByRole('button', { name: 'Approve' }).waitFor();
    expect(await card.textContent()).toContain('1,500.00 EUR');
    await page.screenshot({ path: `${shots}/workspace-approvals-phone.png`, fullPage: true });

    clock.advance(60_000);
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Done — issue an invoice: invoice 2026-0001').waitFor();
    expect(await keel.count('invoices')).toBe(1);

    await page.getByRole('link', { name: 'Timeline' }).first().click();
    const entry = page.locator('li.entry', { hasText: 'Issue an invoice' });
    expect(await entry.getAttribute('data-state')).toBe('succeeded');
    await page.screenshot({ path: `${shots}/workspace-timeline-phone.png`, fullPage: true });
  });

  it("opens an action's why, with its evidence linked to memory", async () => {
    await page.locator('li.entry', { hasText: 'Issue an invoice' }).getByRole('link').click();
    await page.getByRole('heading', { name: 'Evidence' }).waitFor();
    expect(await page.locator('.outcome').textContent()).toContain('2026-0001');
    expect(await page.locator('ol.trail').textContent()).toMatch(/proposed[\s\S]*approved[\s\S]*succeeded/);
    await page.getByRole('button', { name: 'Compensate' }).waitFor();
    await page.screenshot({ path: `${shots}/workspace-why-phone.png`, fullPage: true });

    await page.locator('ul.evidence a', { hasText: 'client' }).click();
    await page.getByRole('heading', { name: 'Memory' }).waitFor();
    expect(await page.locator('.memory pre').textContent()).toContain('Acme Corp');
  });

  it('pauses an agent, after which a request to it proposes nothing', async () => {
    await page.getByRole('link', { name: 'Agents' }).click();
    clock.advance(60_000);
    await page.getByRole('button', { name: 'Pause Sales' }).click();
    await page.locator('[data-agent="sales"][data-paused="yes"]').waitFor();
    await page.screenshot({ path: `${shots}/workspace-agents-phone.png`, fullPage: true });

    const before = await keel.count('actions');
    const reply = textIn((await say('draft a follow-up to Dana')).replies);
    expect(reply).toMatch(/^Sales is paused; resume it in the workspace/);
    expect(await keel.count('actions')).toBe(before);
  });

  it('reads on a desktop screen too', async () => {
    await page.setViewportSize(desktop);
    await page.goto(`${server.base}/workspace`);
    await page.screenshot({ path: `${shots}/workspace-timeline-desktop.png` });
    await page.goto(`${server.base}/workspace/agents`);
    await page.screenshot({ path: `${shots}/workspace-agents-desktop.png` });
    await page.goto(`${server.base}/workspace/context?q=${encodeURIComponent('Acme consulting')}`);
    await page.locator('ul.hits li').first().waitFor();
    await page.screenshot({ path: `${shots}/workspace-context-desktop.png` });
  });
});
