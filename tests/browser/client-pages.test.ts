import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/core/clock.js';
import type { Outbound } from '../../src/graph/index.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, withBillingAddress, type TestKeel } from '../support/keel.js';
import { launchChromium } from '../support/browser.js';
import { serveOnLoopback } from '../support/serve.js';
import { startStripeFake } from '../connectors/stripe-fake.js';

// docs/screenshots (shown in the README) only with UPDATE_SCREENSHOTS=1 (npm run screenshots:client-pages); a temp folder otherwise.
const shots = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : mkdtempSync(join(tmpdir(), 'keel-client-pages-'));
const phone = { width: 390, height: 844 };
const linkPath = (text: string) => /\/c\/[A-Za-z0-9_-]{43}/.exec(text)?.[0];

describe('client pages in a real browser at phone width', () => {
  const db = tempDatabase();
  // Tuesday 1 December 2026, 09:00 in Berlin: the screenshots are taken at a fixed clock.
  const clock = new ManualClock('2026-12-01T08:00:00Z');
  const pushed: Outbound[] = [];
  let keel: TestKeel;
  let browser: Browser;
  let context: BrowserContext;
  let server: Awaited<ReturnType<typeof serveOnLoopback>>;
  let stripe: Awaited<ReturnType<typeof startStripeFake>>;

  const mailLink = async (subject: string) => {
    const rows = await keel.storage.client.execute({ sql: 'SELECT body FROM outbox_emails WHERE subject LIKE ? ORDER BY rowid DESC LIMIT 1', args: [subject] });
    return `${server.base}${linkPath(String(rows.rows[0]!.body))}`;
  };
  const approve = async (text: string) => {
    const { replies } = await keel.say(text);
    await keel.tap(cardsIn(replies)[0]!.ref);
  };
  const fitsPhone = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    stripe = await startStripeFake();
    keel = await startKeel({
      url: db.url,
      clock,
      env: {
        TZ: 'Europe/Berlin',
        OPERATOR_NAME: 'Studio Keel',
        STRIPE_API_KEY: stripe.apiKey,
        STRIPE_API_BASE: stripe.apiBase,
        PROPOSAL_TERMS: 'Half on signature, half on delivery. Invoices are due within 30 days.',
      },
    });
    server = await serveOnLoopback(keel.http);
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    await keel.say('Draft a proposal for Acme: 2-day workshop, 16 hours at 150 EUR');
    await approve('Send the proposal to Acme');
    await approve('Invoice Acme 10 hours at 150 EUR for October consulting');
    keel.hub.subscribe((message) => pushed.push(message));
    browser = await launchChromium();
    context = await browser.newContext({ viewport: phone, timezoneId: 'America/New_York' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    keel?.close();
    await stripe?.close();
    db.remove();
  });

  it('accepts a proposal once: a double click and a second tab give one acceptance and one notice', async () => {
    const url = await mailLink('Proposal:%');
    const page = await context.newPage();
    const tab = await context.newPage();
    await page.goto(url);
    await tab.goto(url);
    await page.getByRole('heading', { name: 'Proposal: 2-day workshop' }).waitFor();
    expect(await fitsPhone(page)).toBe(true);
    await page.screenshot({ path: join(shots, 'client-proposal-phone.png'), fullPage: true });
    await page.getByLabel(/A note for/).fill('Looking forward to it!');
    await page.getByRole('button', { name: 'Accept' }).dblclick();
    await page.getByText('You accepted this proposal').waitFor();
    expect(await page.getByRole('button', { name: 'Accept' }).count()).toBe(0);
    await page.screenshot({ path: join(shots, 'client-proposal-accepted-phone.png'), fullPage: true });
    // The other tab still shows the buttons; its Decline finds the acceptance.
    await tab.getByRole('button', { name: 'Decline' }).click();
    await tab.getByText('You accepted this proposal').waitFor();
    await page.reload();
    const outcomes = (await keel.kernel.list()).filter((a) => a.operation === 'memory.record_proposal_outcome');
    expect(outcomes).toHaveLength(1);
    const notices = pushed.flatMap((m) => (m.kind === 'text' && m.text.includes('accepted your proposal') ? [m.text] : []));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('Looking forward to it!');
  });

  it('shows the invoice with Pay and its PDF', async () => {
    const page = await context.newPage();
    await page.goto(await mailLink('Invoice %'));
    await page.getByRole('heading', { name: 'Invoice 2026-0001' }).waitFor();
    expect(await page.getByRole('link', { name: /^Pay / }).getAttribute('href')).toMatch(/^https:\/\/buy\.stripe\.test\//);
    expect(await fitsPhone(page)).toBe(true);
    await page.screenshot({ path: join(shots, 'client-invoice-phone.png'), fullPage: true });
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download PDF' }).click();
    expect((await download).suggestedFilename()).toBe('2026-0001.pdf');
  });

  it("books a call in the client's time zone, once", async () => {
    const url = `${server.base}${linkPath(textIn((await keel.say('/links booking Acme')).replies))}`;
    const page = await context.newPage();
    await page.goto(url);
    // The page asks once to be shown in the browser's zone.
    await page.waitForURL(/tz=America%2FNew_York/);
    await page.getByText('times shown in America/New_York').waitFor();
    expect(await fitsPhone(page)).toBe(true);
    await page.screenshot({ path: join(shots, 'client-booking-phone.png') });
    await page.getByRole('button', { name: '03:45' }).first().dblclick();
    await page.getByRole('heading', { name: 'Booked' }).waitFor();
    expect(await page.textContent('main')).toContain('3:45');
    await page.screenshot({ path: join(shots, 'client-booking-booked-phone.png'), fullPage: true });
    expect(await keel.count("meetings WHERE status = 'booked'")).toBe(1);
    expect(pushed.filter((m) => m.kind === 'text' && m.text.includes('booked a call'))).toHaveLength(1);
  });

  it('shows nothing for a forged link', async () => {
    const page = await context.newPage();
    const res = await page.goto(`${server.base}/c/${'B'.repeat(43)}`);
    expect(res?.status()).toBe(404);
    expect(await page.textContent('main')).not.toContain('Acme');
  });
});
