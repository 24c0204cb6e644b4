import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, installed by .ci/run: Playwright cannot download its own
 * browsers here. The flags keep it from reaching for the network at start.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
