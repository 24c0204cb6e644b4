import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, installed by .ci/run: Playwright cannot download its own
 * browsers here. The flags keep it from reaching for the network at start.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Where screenshots go: docs/screenshots (committed, shown in the README) only when asked for with
 * UPDATE_SCREENSHOTS=1, so a test run never rewrites tracked files; test-results/screenshots otherwise.
 */
export const screenshotDir = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
