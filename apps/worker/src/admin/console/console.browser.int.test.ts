import { findDelivery, findShipment } from '@tracksync/db';
import { repoPath } from '@tracksync/test-support';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeHttpServer } from '@tracksync/runtime';
import { waitFor } from '../../../test/harness';
import { serveAdmin, type AdminServer } from '../../../test/admin-server';
import { keepOnLoopback, launchChromium } from '../../../test/chromium';
import { CONSOLE_SEED, seedConsole } from '../../../test/console-seed';
import { startReconcileFixture, type ReconcileFixture } from '../../../test/reconcile-fixture';

const TOKEN = 'browser-console-token';
/** Rewritten only with CONSOLE_SCREENSHOT=1: the README's pictures of each page. */
const SHOTS = process.env.CONSOLE_SCREENSHOT === '1';

describe('the ops console in Chromium', () => {
  let fx: ReconcileFixture | undefined;
  let server: AdminServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let failedDeliveryId: string;
  const outside: string[] = [];
  /** What the Content-Security-Policy blocked: htmx and the console must need nothing inline. */
  const blocked: string[] = [];

  beforeAll(async () => {
    // Workers deliver to a local sink; a fake Starshipit API answers "run now".
    fx = await startReconcileFixture({ env: { ADMIN_TOKEN: TOKEN } });
    server = await serveAdmin(fx.harness);
    ({ failedDeliveryId } = await seedConsole(fx.harness.db));
    browser = await launchChromium('console browser test');
    // The operator sits in Sydney; the server speaks UTC.
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      timezoneId: 'Australia/Sydney',
      locale: 'en-AU',
    });
    await keepOnLoopback(context, (url) => outside.push(url));
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.dismiss());
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fx?.close();
  });

  const url = (path: string) => `${server!.url}/console${path}`;
  const main = () => page.locator('main');
  const noticeText = () => page.locator('.notice').innerText();

  async function shot(name: string): Promise<void> {
    const png = await page.screenshot({ type: 'png', fullPage: true });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    if (!SHOTS) return;
    const file = repoPath(`docs/console-${name}.png`);
    await mkdir(repoPath('docs'), { recursive: true });
    await writeFile(file, png);
  }

  it('sends a visitor without a session to the sign-in form, and refuses a wrong token', async () => {
    await page.goto(url('/failed'));
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await noticeText()).toContain('That token is not the admin token.');
    expect(await context.cookies()).toEqual([]);
    await shot('login');
  });

  it('signs in and keeps an HttpOnly, Secure, SameSite=Strict session cookie on http://127.0.0.1', async () => {
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'tracksync_console',
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/console',
    });
    // Script on the page cannot read it.
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it('shows the overview, refreshes it by itself and shows times in the operator’s zone', async () => {
    const cards = await page.locator('.card').allInnerTexts();
    expect(cards.map(oneLine)).toEqual([
      'Failed deliveries, last 24 h 1',
      'Unmatched shipments 1',
      'Parked payloads 2',
    ]);
    expect(oneLine(await main().innerText())).toContain('failed run');
    expect(await page.locator('table th[scope=row]').allInnerTexts()).toEqual([
      'ingest',
      'parked',
      'delivery',
      'reconcile',
    ]);
    expect(await page.getByRole('link', { name: 'open Bull Board' }).getAttribute('href')).toBe(
      '/admin/queues',
    );
    const stamp = page.locator('time').first();
    const iso = await stamp.getAttribute('datetime');
    expect(await stamp.getAttribute('title')).toBe(`${iso} (UTC)`);
    expect(await stamp.innerText()).toMatch(/AEDT|AEST|GMT\+1[01]/);
    await shot('overview');
    // Keyboard: the first Tab lands on the skip link, which moves focus to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    const refreshed = await page.waitForResponse(
      (r) => r.url().endsWith('/console/overview/stats'),
      { timeout: 15_000 },
    );
    expect(refreshed.status()).toBe(200);
  });

  it('finds a shipment by order number and shows its timeline: events, state after each, payloads, deliveries and attempts', async () => {
    await page.getByRole('link', { name: 'Shipments' }).click();
    await page.getByLabel('Tracking number or order number').fill(CONSOLE_SEED.orderNumber);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: `Shipment ${CONSOLE_SEED.trackingNumber}` }).waitFor();
    const events = page.locator('section[aria-labelledby=events-heading] tbody tr');
    expect(await events.count()).toBe(4);
    const cells = async (i: number) =>
      (await events.nth(i).locator('td').allInnerTexts()).map(oneLine);
    expect((await cells(0)).slice(1, 3)).toEqual(['webhook', 'Printed']);
    expect((await cells(3)).slice(2, 3)).toEqual(['Manifested']);
    expect((await cells(3))[4]).toBe('stale');
    expect((await cells(3))[5]).toMatch(/^InTransit as of/);
    const payload = events.nth(0).locator('pre');
    expect(await payload.isVisible()).toBe(false);
    await events.nth(0).getByText('Raw payload').click();
    expect(await payload.innerText()).toContain('"tracking_status": "Printed"');
    const deliveries = page.locator('section[aria-labelledby=deliveries-heading] table');
    expect(await deliveries.count()).toBe(3);
    const retried = deliveries.nth(1);
    expect(oneLine(await retried.locator('caption').innerText())).toMatch(
      /^delivered dlv_\w+ → default · change of Dispatched/,
    );
    const attempts = (await retried.locator('tbody tr').allInnerTexts()).map(oneLine);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatch(/^1 .* retry 503 HTTP 503 \d+ ms$/);
    expect(attempts[1]).toMatch(/^2 .* applied 200 \d+ ms$/);
    await shot('shipment');
  });

  it('renders markup, quotes and right-to-left overrides in payloads as text', async () => {
    await page.getByLabel('Tracking number or order number').fill(CONSOLE_SEED.hostileTracking);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText('Raw payload').click();
    const text = await main().innerText();
    expect(text).toContain(
      '<script>window.__pwned = 1</script> "double" \'single\' [U+202E]evil.exe',
    );
    expect(text).toContain('<img src=x onerror=\\"window.__pwned=2\\">');
    expect(text).not.toContain('\u202E');
    expect(await page.locator('main script, main img').count()).toBe(0);
    await shot('escaping');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
  });

  it('matches an unmatched shipment to a source order and the source system receives its state', async () => {
    await page.getByRole('link', { name: 'Unmatched' }).click();
    expect(await page.locator('tbody tr').count()).toBe(1);
    await shot('unmatched');
    await page.getByLabel(`Source order id for ${CONSOLE_SEED.unmatched}`).fill('ERP-CONSOLE-42');
    await page.getByRole('button', { name: `Match ${CONSOLE_SEED.unmatched}` }).click();
    expect(await noticeText()).toContain(
      `Matched; the current state is on its way (${CONSOLE_SEED.unmatched} → ERP-CONSOLE-42)`,
    );
    const [arrived] = await waitFor('the match to reach the sink', () => {
      const requests = fx!.sink.requestsFor(CONSOLE_SEED.unmatched);
      return requests.length > 0 ? requests : null;
    });
    expect(arrived!.body.data).toMatchObject({
      source_order_id: 'ERP-CONSOLE-42',
      tracking_status: 'Dispatched',
    });
    await waitFor(
      'the shipment to be matched',
      async () =>
        (await findShipment(fx!.harness.db, CONSOLE_SEED.unmatched))?.unmatchedSince === null,
    );
    await page.reload();
    expect(await main().innerText()).toContain('No unmatched shipments');
  });

  it('lists a failed delivery with its last error and retries it under the same webhook-id', async () => {
    await page.getByRole('link', { name: 'Failed deliveries' }).click();
    const row = page.locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(oneLine(await row.innerText())).toContain(
      'InTransit (change) 1 400 HTTP 400: {"error":"order is on hold"}',
    );
    expect(await row.getByRole('cell').nth(1).innerText()).toBe('default');
    await shot('failed');
    await row.getByRole('button', { name: `Retry delivery ${failedDeliveryId}` }).click();
    expect(await noticeText()).toContain(`Delivery ${failedDeliveryId} is queued again.`);
    await waitFor(
      'the retry to be delivered',
      async () => (await findDelivery(fx!.harness.db, failedDeliveryId))?.status === 'delivered',
    );
    expect(fx!.sink.requestsFor(CONSOLE_SEED.failed).map((r) => r.webhookId)).toEqual([
      failedDeliveryId,
    ]);
  });

  it('replays a shipment’s current state from its timeline under a new webhook-id', async () => {
    await page.goto(url(`/shipments/${CONSOLE_SEED.failed}`));
    await page.getByRole('button', { name: 'Replay current state' }).click();
    expect(await noticeText()).toMatch(
      /^Current state queued for delivery \(dlv_[0-9a-f]{32}\)\.$/,
    );
    const [first, replay] = await waitFor('the replay to reach the sink', () => {
      const requests = fx!.sink.requestsFor(CONSOLE_SEED.failed);
      return requests.length === 2 ? requests : null;
    });
    expect(replay!.webhookId).not.toBe(first!.webhookId);
    expect(replay!.body.data).toEqual(first!.body.data);
  });

  it('shows parked payloads escaped and cut, with why each was refused', async () => {
    await page.getByRole('link', { name: 'Parked payloads' }).click();
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    const hostile = oneLine(await rows.nth(0).innerText());
    expect(hostile).toContain('JSON of the wrong shape tracking_status: Required <b>here</b>');
    expect(hostile).toContain('"order_number":"<script>window.__pwned = 3</script>"');
    expect(hostile).toContain('[U+202E]evil.exe');
    const big = await rows.nth(1).locator('pre').innerText();
    expect(big).toContain('more characters not shown');
    expect(big.length).toBeLessThan(2_200);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await shot('parked');
  });

  it('shows reconcile runs with their steps and errors, and runs one now', async () => {
    await page.getByRole('link', { name: 'Reconcile' }).click();
    const runs = page.locator('tbody tr');
    expect(await runs.count()).toBe(2);
    expect(oneLine(await runs.nth(0).innerText())).toContain(CONSOLE_SEED.runError);
    expect(oneLine(await runs.nth(1).innerText())).toMatch(/succeeded .* 7 2 3 4 1 none$/);
    await shot('reconcile');
    await page.getByRole('button', { name: 'Run now' }).click();
    expect(await noticeText()).toMatch(/Reconciliation run queued \(manual-/);
    await waitFor(
      'the run to finish',
      async () => {
        await page.reload();
        return (await runs.count()) === 3 && (await runs.nth(0).innerText()).includes('succeeded');
      },
      15_000,
    );
  });

  it('pauses a destination and resumes it from the Destinations page', async () => {
    await page.getByRole('link', { name: 'Destinations' }).click();
    const row = page.locator('tbody tr').first();
    expect(oneLine(await row.innerText())).toMatch(
      /^default http · http:\/\/127\.0\.0\.1:\d+ signed .*delivering/,
    );
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await noticeText()).toContain('Paused default: its changes wait in its outbox');
    expect(oneLine(await row.innerText())).toContain('paused since');
    expect(await fx!.harness.control.paused()).toHaveProperty('default');
    await shot('destinations');
    await page.getByRole('button', { name: 'Resume' }).click();
    expect(await noticeText()).toContain('Resumed default');
    expect(await fx!.harness.control.paused()).toEqual({});
  });

  it('refuses a form posted from another origin, and a same-origin post with a forged CSRF token', async () => {
    const before = fx!.sink.requests.length;
    const evil = await serveForgedForm(url('/failed/retry'));
    try {
      const answer = page.waitForResponse((r) => r.url() === url('/failed/retry'));
      await page.goto(evil.url);
      expect((await answer).status()).toBe(403);
      expect(await page.locator('main').innerText()).toContain(
        'This form was not sent from the console.',
      );
    } finally {
      await closeHttpServer(evil.server);
    }
    await page.goto(url('/'));
    const status = await page.evaluate(async (target) => {
      const body = new URLSearchParams({ _csrf: 'forged-token-forged-token-forged-token-1234' });
      return (await fetch(target, { method: 'POST', body })).status;
    }, url('/failed/retry'));
    expect(status).toBe(403);
    expect(fx!.sink.requests.length).toBe(before);
  });

  it('refuses a wrong or missing session, and signs out', async () => {
    const forged = await browser!.newContext();
    try {
      await forged.addCookies([
        { name: 'tracksync_console', value: 'A'.repeat(43), url: url('/') },
      ]);
      const other = await forged.newPage();
      await other.goto(url('/unmatched'));
      expect(new URL(other.url()).pathname).toBe('/console/login');
      const action = await forged.request.post(url('/unmatched/retry'), {
        form: { _csrf: 'x' },
        maxRedirects: 0,
      });
      expect(action.status()).toBe(401);
    } finally {
      await forged.close();
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await noticeText()).toContain('Signed out.');
    await page.goto(url('/reconcile'));
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(outside).toEqual([]);
    expect(blocked).toEqual([]);
  });
});

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Another origin's page that posts a form to the console as soon as it loads. */
async function serveForgedForm(target: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        `<form method="post" action="${target}"><input name="_csrf" value="forged"></form>` +
          '<script>document.forms[0].submit()</script>',
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
