import { enqueue, QUEUE_NAMES } from '@tracksync/queue';
import { repoPath } from '@tracksync/test-support';
import { UnrecoverableError, Worker } from 'bullmq';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GUIDE_EXAMPLE_PAYLOAD,
  startHarness,
  trackingEventJob,
  waitForJobState,
  type WorkerHarness,
} from '../../test/harness';
import { serveAdmin, type AdminServer } from '../../test/admin-server';
import { keepOnLoopback, launchChromium } from '../../test/chromium';

const TOKEN = 'browser-board-token';
/** The README's picture of the board; rewritten only when BOARD_SCREENSHOT=1 (see below). */
const SCREENSHOT = repoPath('docs/bull-board.png');
const QUEUES = Object.values(QUEUE_NAMES);

interface Opened {
  readonly context: BrowserContext;
  readonly page: Page;
  /** The status of the board's own document, as it came over the wire. */
  readonly status: number | undefined;
  /** Why the navigation failed, if it did. */
  readonly navigationError: string | undefined;
}

describe('Bull Board in Chromium', () => {
  // Unset until beforeAll reaches them; afterAll closes whatever was started.
  let harness: WorkerHarness | undefined;
  let server: AdminServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    harness = await startHarness({ ADMIN_TOKEN: TOKEN });
    server = await serveAdmin(harness);
    await seedJobs(harness);
    browser = await launchChromium('Bull Board browser test');
  });

  afterAll(async () => {
    // Each may be unset when an earlier step of beforeAll failed.
    await browser?.close();
    await server?.close();
    await harness?.close();
  });

  /** Opens the board in a context of its own (cookies, cache, credentials). */
  async function openBoard(credentials?: { username: string; password: string }): Promise<Opened> {
    const context = await browser!.newContext({
      viewport: { width: 1280, height: 800 },
      ...(credentials ? { httpCredentials: credentials } : {}),
    });
    // Bull Board's page asks Google Fonts for its typeface; the test never leaves loopback.
    await keepOnLoopback(context);
    const page = await context.newPage();
    const boardUrl = `${server!.url}/admin/queues`;
    // Read the status off the wire: with no credentials to offer at the Basic prompt,
    // Chromium fails the navigation (ERR_INVALID_AUTH_CREDENTIALS) instead of rendering it.
    let status: number | undefined;
    page.on('response', (response) => {
      if (response.url() === boardUrl) status = response.status();
    });
    let navigationError: string | undefined;
    try {
      await page.goto(boardUrl);
    } catch (err) {
      navigationError = err instanceof Error ? err.message : String(err);
    }
    return { context, page, status, navigationError };
  }

  it('shows every queue with its job counts to a browser given the token at the Basic prompt', async () => {
    const { context, page, status } = await openBoard({ username: 'ops', password: TOKEN });
    try {
      expect(status).toBe(200);
      // The page is an empty shell until the board's script has fetched the queues.
      const cards = page.locator('li:has(> [class*="queueCard-"])');
      await cards.first().locator('[class^="total-"]').waitFor();
      const screenshot = await page.screenshot({ type: 'png' });
      expect(screenshot.subarray(1, 4).toString('latin1')).toBe('PNG');
      if (process.env.BOARD_SCREENSHOT === '1') {
        await mkdir(dirname(SCREENSHOT), { recursive: true });
        await writeFile(SCREENSHOT, screenshot);
      }

      const shown: Record<string, string> = {};
      for (const card of await cards.all()) {
        const name = await card.locator('a[title]').innerText();
        shown[name] = await card.locator('[class*="stats-"]').innerText();
      }
      // A card's footer reads "FAILED 1" for failed jobs, then the queue's total.
      expect(Object.fromEntries(Object.entries(shown).map(([q, t]) => [q, oneLine(t)]))).toEqual({
        ingest: '2 Jobs',
        parked: '1 Job',
        delivery: 'FAILED 1 3 Jobs',
        reconcile: '1 Job',
      });
      const sidebar = await page.locator('nav a, aside a').allInnerTexts();
      expect(sidebar.map(oneLine)).toEqual(expect.arrayContaining(QUEUES));
      expect(oneLine(await page.locator('[class^="statusTabs-"]').innerText())).toContain(
        'FAILED 1 DELAYED 1',
      );
    } finally {
      await context.close();
    }
  });

  it('renders no board and no queue without credentials', async () => {
    const { context, page, status, navigationError } = await openBoard();
    try {
      expect(status).toBe(401);
      expect(navigationError).toContain('ERR_INVALID_AUTH_CREDENTIALS');
      const text = await page.locator('body').innerText();
      for (const queue of QUEUES) expect(text).not.toContain(queue);
      expect(await page.locator('[class*="queueCard-"]').count()).toBe(0);
      // Nor does the data behind the board come out without the token.
      const api = await context.request.get(`${server!.url}/admin/queues/api/queues`);
      expect(api.status()).toBe(401);
      expect(await api.text()).not.toContain('ingest');
    } finally {
      await context.close();
    }
  });

  it('answers 401 to the wrong password', async () => {
    const { context, page, status } = await openBoard({ username: 'ops', password: 'not-it' });
    try {
      expect(status).toBe(401);
      expect(await page.locator('[class*="queueCard-"]').count()).toBe(0);
      const text = await page.locator('body').innerText();
      for (const queue of QUEUES) expect(text).not.toContain(queue);
    } finally {
      await context.close();
    }
  });
});

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Jobs on every queue, in more than one state: one failed delivery (a worker that only
 * fails), then waiting and delayed ones that stay put, since no worker runs afterwards.
 */
async function seedJobs({ queues, connection, config }: WorkerHarness): Promise<void> {
  const failing = new Worker(
    QUEUE_NAMES.delivery,
    () => Promise.reject(new UnrecoverableError('source system said no')),
    { connection, prefix: config.QUEUE_PREFIX },
  );
  const failed = `dlv_${'f'.repeat(32)}`;
  await enqueue(queues, 'deliver-shipment', { deliveryId: failed });
  await waitForJobState(queues.delivery, failed, 'failed');
  await failing.close();

  await enqueue(queues, 'deliver-shipment', { deliveryId: `dlv_${'a'.repeat(32)}` });
  await enqueue(
    queues,
    'deliver-shipment',
    { deliveryId: `dlv_${'b'.repeat(32)}` },
    { delay: 60 * 60 * 1000 },
  );
  await enqueue(queues, 'tracking-event', trackingEventJob(GUIDE_EXAMPLE_PAYLOAD));
  await enqueue(
    queues,
    'tracking-event',
    trackingEventJob({ ...GUIDE_EXAMPLE_PAYLOAD, tracking_status: 'InTransit' }),
  );
  await enqueue(queues, 'parked-payload', {
    reason: 'invalid_json',
    body: '{"order_number": "API-TEST-1001",',
    issues: [],
    receivedAt: new Date().toISOString(),
  });
  await enqueue(queues, 'reconcile-run', { trigger: 'manual' });
}
