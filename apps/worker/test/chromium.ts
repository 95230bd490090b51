import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium: playwright-core drives it; no browser is downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Launches Debian's Chromium headless, or fails (never skips: a missing browser must not pass
 * for a checked page). Without the background-networking flags Chromium keeps dialling
 * Google's hosts, which this offline machine refuses; launch() gives it a fresh, empty profile.
 */
export async function launchChromium(testName: string): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The ${testName} needs Debian's Chromium at ${CHROMIUM}; install it with ` +
        '`apt-get install chromium` (as root; .ci/run does this in CI).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
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

/** Lets the context reach loopback only; `onBlocked` hears every other URL a page asked for. */
export async function keepOnLoopback(
  context: BrowserContext,
  onBlocked: (url: string) => void = () => undefined,
): Promise<void> {
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (LOOPBACK.has(new URL(url).hostname)) return route.continue();
    onBlocked(url);
    return route.abort('blockedbyclient');
  });
}
