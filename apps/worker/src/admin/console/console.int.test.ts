import { findDelivery, parkPayload } from '@tracksync/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type WorkerHarness } from '../../../test/harness';
import { serveAdmin, type AdminServer } from '../../../test/admin-server';
import { deliveryOf, newTrackingNumber, recordAttempt, recordWebhook } from '../../../test/seed';
import { SESSION_TTL_SECONDS } from './session';

const TOKEN = 'console-int-token-4b1e';
const PAGES = [
  '/',
  '/shipments',
  '/unmatched',
  '/failed',
  '/parked',
  '/destinations',
  '/reconcile',
];

describe('ops console: sign-in, sessions and CSRF over HTTP', () => {
  let harness: WorkerHarness;
  let server: AdminServer;

  beforeAll(async () => {
    harness = await startHarness({ ADMIN_TOKEN: TOKEN });
    server = await serveAdmin(harness);
  });

  afterAll(async () => {
    await server.close();
    await harness.close();
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/console${path}`, { redirect: 'manual', ...init });

  const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });

  /** Signs in; returns the cookie to send and the page's CSRF token. */
  async function signIn(): Promise<{ cookie: string; setCookie: string; csrf: string }> {
    const response = await call('/login', form({ token: TOKEN }));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console/');
    const setCookie = response.headers.get('set-cookie') ?? '';
    const cookie = setCookie.split(';')[0]!;
    const page = await (await call('/', { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toMatch(/^[\w-]{43}$/);
    return { cookie, setCookie, csrf: csrf! };
  }

  it('sends a page asked for without a session to the sign-in form', async () => {
    for (const path of PAGES) {
      const response = await call(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location')).toBe('/console/login');
    }
    const login = await call('/login');
    expect(login.status).toBe(200);
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await login.text()).toContain('<label for="token">Admin token</label>');
  });

  it('does not take the bearer token or Basic credentials instead of a session', async () => {
    const response = await call('/failed', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(303);
  });

  it('refuses a wrong token with 401, sets no cookie and never logs the token', async () => {
    const response = await call('/login', form({ token: `${TOKEN}x` }));
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain('That token is not the admin token.');
    expect(JSON.stringify(harness.lines)).not.toContain(TOKEN);
  });

  it('signs in with an HttpOnly, SameSite=Strict, Secure cookie for /console, kept in Redis with an expiry', async () => {
    const { cookie, setCookie } = await signIn();
    expect(setCookie).toMatch(/^tracksync_console=[\w-]{43};/);
    expect(setCookie).toContain('Path=/console');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('SameSite=Strict');
    const keys = await harness.connection.keys(`${harness.config.QUEUE_PREFIX}:console:session:*`);
    expect(keys.length).toBeGreaterThan(0);
    // The key names a hash of the id, so reading Redis does not hand out live sessions.
    expect(keys.join()).not.toContain(cookie.split('=')[1]);
    const ttl = await harness.connection.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(SESSION_TTL_SECONDS - 60);
    for (const path of PAGES) {
      const response = await call(path, { headers: { cookie } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('refuses an action without the CSRF token, with a wrong one, or sent from another site', async () => {
    const { cookie, csrf } = await signIn();
    const attempts = [
      form({}, { cookie }),
      form({ _csrf: `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}` }, { cookie }),
      form({ _csrf: csrf }, { cookie, 'sec-fetch-site': 'cross-site' }),
    ];
    for (const init of attempts) {
      const response = await call('/unmatched/retry', init);
      expect(response.status).toBe(403);
    }
    const accepted = await call('/unmatched/retry', form({ _csrf: csrf }, { cookie }));
    expect(accepted.status).toBe(303);
  });

  it('refuses an action with a missing or unknown session (401), and tells htmx to sign in', async () => {
    const { csrf } = await signIn();
    expect((await call('/failed/retry', form({ _csrf: csrf }))).status).toBe(401);
    const forged = `tracksync_console=${'A'.repeat(43)}`;
    expect((await call('/failed/retry', form({ _csrf: csrf }, { cookie: forged }))).status).toBe(
      401,
    );
    const refresh = await call('/overview/stats', { headers: { 'hx-request': 'true' } });
    expect(refresh.status).toBe(401);
    expect(refresh.headers.get('hx-redirect')).toBe('/console/login');
  });

  it('signs out: the session is gone from Redis and its cookie opens nothing', async () => {
    const { cookie, csrf } = await signIn();
    const out = await call('/logout', form({ _csrf: csrf }, { cookie }));
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^tracksync_console=;.*Expires=Thu, 01 Jan 1970/);
    expect((await call('/', { headers: { cookie } })).status).toBe(303);
  });

  it('pages through a long list: 20 parked payloads a page, then a next page', async () => {
    for (let i = 0; i < 21; i++) {
      await parkPayload(harness.db, {
        parkedId: `paged-${i}`,
        reason: 'invalid_json',
        body: `{"n": ${i},`,
        issues: [],
        receivedAt: new Date(),
      });
    }
    const { cookie } = await signIn();
    const first = await (await call('/parked', { headers: { cookie } })).text();
    expect(first.match(/<pre>/g)).toHaveLength(20);
    expect(first).toContain('href="/console/parked?page=2" rel="next"');
    const second = await (await call('/parked?page=2', { headers: { cookie } })).text();
    expect(second.match(/<pre>/g)).toHaveLength(1);
    expect(second).toContain('{&quot;n&quot;: 0,');
    expect(second).toContain('href="/console/parked?page=1" rel="prev"');
    expect(second).not.toContain('rel="next"');
  });

  it('pauses and resumes a destination and retries its failed deliveries from the Destinations page', async () => {
    const { cookie, csrf } = await signIn();
    const page = async () => (await call('/destinations', { headers: { cookie } })).text();
    const post = (path: string) => call(path, form({ _csrf: csrf }, { cookie }));
    expect(await page()).toMatch(/<th scope="row">default<\/th>[\s\S]*delivering/);

    const paused = await post('/destinations/default/pause');
    expect(paused.status).toBe(303);
    expect(paused.headers.get('location')).toBe('/console/destinations?done=paused&what=default');
    expect(await harness.control.paused()).toHaveProperty('default');
    expect(await page()).toMatch(/paused<\/span> since <time/);
    expect(await page()).toContain('action="/console/destinations/default/resume"');

    expect((await post('/destinations/default/resume')).status).toBe(303);
    expect(await harness.control.paused()).toEqual({});

    const recorded = await recordWebhook(harness.db, {
      orderNumber: 'SO-DEST-1',
      trackingNumber: newTrackingNumber('DEST'),
      status: 'Dispatched',
      at: '2026-06-18T10:00:00Z',
    });
    const deliveryId = deliveryOf(recorded);
    await recordAttempt(harness.db, deliveryId, 1, {
      kind: 'permanent',
      reason: 'HTTP 400',
      httpStatus: 400,
    });
    expect(await page()).toContain('Retry failed (1)');
    const retried = await post('/destinations/default/retry-failed');
    expect(retried.headers.get('location')).toBe(
      '/console/destinations?done=retried_all&what=default%2C+1+queued',
    );
    expect(await findDelivery(harness.db, deliveryId)).toMatchObject({ status: 'pending' });

    const unknown = await post('/destinations/nowhere/pause');
    expect(unknown.headers.get('location')).toBe(
      '/console/destinations?done=unknown_destination&what=nowhere',
    );
    expect(await harness.control.paused()).toEqual({});
    // Like every other action: nothing without the session's CSRF token.
    expect((await call('/destinations/default/pause', form({}, { cookie }))).status).toBe(403);
  });

  it('serves htmx, its stylesheet and script from the worker itself', async () => {
    for (const asset of ['htmx.min.js', 'console.js', 'console.css']) {
      const response = await call(`/assets/${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.text()).length).toBeGreaterThan(500);
    }
  });
});

describe('ops console with CONSOLE_COOKIE_SECURE=false', () => {
  it('sets the session cookie without Secure, for plain HTTP to a host other than loopback', async () => {
    const harness = await startHarness({ ADMIN_TOKEN: TOKEN, CONSOLE_COOKIE_SECURE: 'false' });
    const server = await serveAdmin(harness);
    try {
      const response = await fetch(`${server.url}/console/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: TOKEN }).toString(),
      });
      const setCookie = response.headers.get('set-cookie') ?? '';
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).not.toContain('Secure');
    } finally {
      await server.close();
      await harness.close();
    }
  });
});
