import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../../src/core/clock.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, type TestKeel } from '../support/keel.js';
import { launchChromium, screenshotDir } from '../support/browser.js';
import { serveOnLoopback } from '../support/serve.js';

const phone = { width: 390, height: 844 };

describe('the playbooks page in a real browser', () => {
  const db = tempDatabase();
  let keel: TestKeel;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serveOnLoopback>>;
  // Sunday 29 November 2026; TZ is UTC.
  const clock = new ManualClock('2026-11-29T12:00:00Z');
  let weekly = '';

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    // The embedded default: no WEB_CHAT_TOKEN, so loopback opens the workspace without a sign-in.
    keel = await startKeel({ url: db.url, clock });
    await keel.scheduler.sync();
    server = await serveOnLoopback(keel.http);
    await keel.tap(cardsIn((await keel.say('every Monday at 9: send me the pipeline')).replies)[0]!.ref);
    await keel.tap(
      cardsIn(
        (await keel.say('when a proposal is accepted: create a project for it, book a 30-minute kickoff within 3 working days, send the welcome email'))
          .replies,
      )[0]!.ref,
    );
    const rows = (await keel.storage.client.execute("SELECT id FROM playbooks WHERE name = 'Every Monday at 9'")).rows;
    weekly = String(rows[0]!.id);
    clock.set(new Date('2026-11-30T09:00:30Z'));
    await keel.scheduler.tick();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    keel?.close();
    db.remove();
  });

  it('lists each playbook as data with its runs and state at phone width, and pauses one through the conversation', async () => {
    const page = await browser.newPage({ viewport: phone });
    const res = await page.goto(`${server.base}/workspace/playbooks`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Playbooks');
    const card = page.locator(`li.playbook#${weekly}`);
    expect(await card.locator('h2').textContent()).toBe('Every Monday at 9 · active');
    expect(await card.textContent()).toContain('When it is Monday 09:00');
    expect(await card.locator('ol li').allTextContents()).toEqual(['operator.schedule_reminder — text: The pipeline, dueAt: {{period.at}}']);
    expect(await card.textContent()).toMatch(/Ran 1× · last run 2026-11-30 09:0\d UTC/);
    const kickoff = page.locator('li.playbook', { hasText: 'Kickoff' });
    expect(await kickoff.locator('ol li').count()).toBe(3);
    expect(await kickoff.textContent()).toContain('Ran 0× · last run —');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: `${screenshotDir}/workspace-playbooks-phone.png`, fullPage: true });

    await card.getByRole('button', { name: 'Pause' }).click();
    await page.getByText(`Playbook ${weekly} is paused.`).waitFor();
    expect(await keel.storage.client.execute(`SELECT status FROM playbooks WHERE id = '${weekly}'`)).toMatchObject({ rows: [{ status: 'paused' }] });
    // Through the kernel, as /playbooks pause is in chat.
    expect(
      (await keel.storage.client.execute("SELECT count(*) AS n FROM actions WHERE operation = 'playbooks.pause' AND state = 'succeeded'")).rows[0]!.n,
    ).toBe(1);

    await page.goto(`${server.base}/workspace/playbooks`);
    expect(await card.locator('h2').textContent()).toBe('Every Monday at 9 · paused');
    await card.getByRole('button', { name: 'Resume' }).click();
    await page.getByText(`Playbook ${weekly} is resumed.`).waitFor();
    await page.goto(`${server.base}/workspace/playbooks`);
    await card.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(`Playbook ${weekly} is deleted.`).waitFor();
    await page.goto(`${server.base}/workspace/playbooks`);
    expect(await page.locator('li.playbook').count()).toBe(1);
  });
});
