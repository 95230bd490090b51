import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARD_PATH, createBoard } from '../../src/admin/board';
import { CONSOLE_PATH } from '../../src/admin/console';
import { adminAppFor, basicAuth, serveAdmin, type AdminServer } from '../admin-server';
import { closeHttpServer } from '@tracksync/runtime';
import { listen } from '../../src/server';
import { startHarness, type WorkerHarness } from '../harness';
import { concretePath, walkRoutes, type RouteEntry } from './routes';

const TOKEN = 'admin-port-token-7f3a';
const PUBLIC = ['GET /healthz', 'GET /readyz', 'GET /metrics'];
/** The console's own open routes: its sign-in form and its static files, nothing else. */
const CONSOLE_OPEN = [
  'GET /console/assets/console.css',
  'GET /console/assets/console.js',
  'GET /console/assets/htmx.min.js',
  'GET /console/login',
  'POST /console/login',
];

function expectNoBanner(response: Response, body: string) {
  expect(response.headers.get('x-powered-by')).toBeNull();
  expect(response.headers.get('server')).toBeNull();
  if (response.status >= 400) expect(body).not.toMatch(/express|<pre>|\n\s+at /i);
}

describe('the admin port', () => {
  let harness: WorkerHarness;
  let admin: AdminServer;
  let broken: AdminServer;
  let protectedRoutes: RouteEntry[];
  let consoleRoutes: RouteEntry[];

  beforeAll(async () => {
    // Each route is asked with each wrong token below; the allowance has its own test.
    harness = await startHarness({ ADMIN_TOKEN: TOKEN, ADMIN_WRONG_TOKENS_PER_MINUTE: '10000' });
    admin = await serveAdmin(harness);
    const failing = { metrics: () => Promise.reject(new Error('registry broke')) };
    broken = await serveAdmin(harness, { registry: failing as unknown as Registry });
    const app = adminAppFor(harness, { reconcileEnabled: false });
    const walked = walkRoutes(app);
    const board = walkRoutes(createBoard({ queues: harness.queues, queuePrefix: 'x' }));
    // Only the probes and the scrape come before the token guard; everything after is under it.
    const [guard] = walked.guards;
    expect(guard?.paths.sort()).toEqual(['/admin', '/api']);
    const open = walked.routes.slice(0, guard?.index);
    expect(open.map((route) => `${route.method} ${route.path}`)).toEqual(PUBLIC);
    const guarded = (path: string) => /^\/(admin|api)(\/|$)/.test(path);
    expect(walked.mountedApps).toEqual([BOARD_PATH]);
    // The console takes no Authorization header: it has a session guard of its own.
    const isConsole = (route: RouteEntry) =>
      route.path === CONSOLE_PATH || route.path.startsWith(`${CONSOLE_PATH}/`);
    const afterGuard = walked.routes.slice(guard?.index);
    const consoleAll = afterGuard.filter(isConsole);
    expect(
      consoleAll
        .map((route) => `${route.method} ${route.path}`)
        .filter((r) => CONSOLE_OPEN.includes(r))
        .sort(),
    ).toEqual(CONSOLE_OPEN);
    consoleRoutes = consoleAll.filter(
      (route) => !CONSOLE_OPEN.includes(`${route.method} ${route.path}`),
    );
    expect(consoleRoutes.length).toBeGreaterThan(10);
    protectedRoutes = [
      ...afterGuard.filter((route) => !isConsole(route)),
      ...board.routes.map((route) => ({ ...route, path: `${BOARD_PATH}${route.path}` })),
    ];
    expect(protectedRoutes.every((route) => guarded(route.path))).toBe(true);
    expect(protectedRoutes.length).toBeGreaterThan(30);
  });

  afterAll(async () => {
    await Promise.all([admin.close(), broken.close()]);
    await harness.close();
  });

  const call = (route: RouteEntry, authorization?: string) =>
    fetch(`${admin.url}${concretePath(route.path)}`, {
      method: route.method,
      headers: {
        'content-type': 'application/json',
        ...(authorization ? { authorization } : {}),
      },
      ...(route.method === 'GET' ? {} : { body: '{}' }),
    });

  it.each([
    ['no credentials', undefined],
    ['a wrong bearer token', `Bearer ${TOKEN}x`],
    ['a wrong Basic password', basicAuth(TOKEN.slice(0, -1))],
    ['the token under another scheme', `Token ${TOKEN}`],
  ])('answers 401 on every non-public route, Bull Board included, to %s', async (_case, auth) => {
    const statuses = await Promise.all(
      protectedRoutes.map(async (route) => {
        const response = await call(route, auth);
        const body = await response.text();
        expectNoBanner(response, body);
        return `${route.method} ${route.path} ${response.status}`;
      }),
    );
    expect(statuses.filter((line) => !line.endsWith(' 401'))).toEqual([]);
    expect(JSON.stringify(harness.lines)).not.toContain(TOKEN);
  });

  it.each([
    ['no credentials', undefined],
    ['the admin token as a bearer token', `Bearer ${TOKEN}`],
    ['the admin token at the Basic prompt', basicAuth(TOKEN)],
  ])(
    'sends every console page to sign-in and refuses every console action (401) without a session, given %s',
    async (_case, auth) => {
      const statuses = await Promise.all(
        consoleRoutes.map(async (route) => {
          const response = await fetch(`${admin.url}${concretePath(route.path)}`, {
            method: route.method,
            redirect: 'manual',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              ...(auth ? { authorization: auth } : {}),
            },
            ...(route.method === 'GET' ? {} : { body: '_csrf=x' }),
          });
          const body = await response.text();
          expectNoBanner(response, body);
          const expected = route.method === 'GET' ? 303 : 401;
          return `${route.method} ${route.path} ${response.status === expected ? 'ok' : response.status}`;
        }),
      );
      expect(statuses.filter((line) => !line.endsWith(' ok'))).toEqual([]);
    },
  );

  it('answers 400, not 500, to a path that is not valid percent-encoding', async () => {
    const response = await fetch(`${admin.url}/api/shipments/%E0%A4%A`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(400);
    expect(harness.lines.filter((line) => line.msg === 'admin request failed')).toEqual([]);
  });

  it.each([
    ['health', '/healthz', 200],
    ['metrics', '/metrics', 200],
    ['Bull Board', BOARD_PATH, 200],
    ['Bull Board API', `${BOARD_PATH}/api/queues`, 200],
    ['an ops API lookup that finds nothing', '/api/shipments/NOPE', 404],
    ['an unknown route', '/.env', 404],
  ])('sends no framework banner for %s', async (_case, path, status) => {
    const response = await fetch(`${admin.url}${path}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(status);
    expectNoBanner(response, await response.text());
  });

  it('sends no banner and no stack for a 500', async () => {
    const response = await fetch(`${broken.url}/metrics`);
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).toBe('{"error":"internal_error"}');
    expectNoBanner(response, body);
  });

  it('closes a connection that sends nothing within its headers timeout', async () => {
    const app = adminAppFor(harness, { reconcileEnabled: false });
    const server: Server = await listen(app, 0, { headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    try {
      const socket = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' });
      socket.on('error', () => undefined);
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      const started = performance.now();
      const closed = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          resolve(false);
        }, 5_000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      socket.destroy();
      expect(closed).toBe(true);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      server.closeAllConnections();
      await closeHttpServer(server);
    }
  });

  it('counts only wrong tokens, then refuses the guessing address everywhere, the right token included', async () => {
    const guarded = await serveAdmin(harness, {
      config: { ...harness.config, ADMIN_WRONG_TOKENS_PER_MINUTE: 3 },
    });
    try {
      const api = (authorization?: string) =>
        fetch(`${guarded.url}/api/unmatched`, { headers: authorization ? { authorization } : {} });
      // A browser's first visit carries no token: no guess, however many.
      for (let i = 0; i < 5; i += 1) expect((await api()).status).toBe(401);
      expect((await api(`Bearer ${TOKEN}`)).status).toBe(200);

      for (const wrong of [`Bearer ${TOKEN}x`, basicAuth('guess'), `Bearer ${TOKEN.slice(1)}`]) {
        expect((await api(wrong)).status).toBe(401);
      }
      const refused = await api(`Bearer ${TOKEN}`);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(50);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(await refused.json()).toEqual({ error: 'too_many_wrong_tokens' });
      const board = await fetch(`${guarded.url}${BOARD_PATH}`, {
        headers: { authorization: basicAuth(TOKEN) },
      });
      expect(board.status).toBe(429);
      const signIn = await fetch(`${guarded.url}${CONSOLE_PATH}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: TOKEN }).toString(),
      });
      expect(signIn.status).toBe(429);
      expect(signIn.headers.get('set-cookie')).toBeNull();
      expect(await signIn.text()).toMatch(
        /Too many wrong tokens from this address: try again in \d+ s\./,
      );
      // Probes and the scrape are not behind the token, so not behind its limit either.
      expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
      expect(harness.lines).toContainEqual(
        expect.objectContaining({
          msg: 'admin: too many wrong tokens from this address, refused until its window ends',
          path: `${CONSOLE_PATH}/login`,
        }),
      );
      expect(JSON.stringify(harness.lines)).not.toContain(TOKEN);
    } finally {
      await guarded.close();
    }
  });

  it('counts wrong tokens at the console sign-in toward the same allowance as the API', async () => {
    const guarded = await serveAdmin(harness, {
      config: { ...harness.config, ADMIN_WRONG_TOKENS_PER_MINUTE: 2 },
    });
    const signIn = (token: string) =>
      fetch(`${guarded.url}${CONSOLE_PATH}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
    try {
      expect((await signIn('guess-1')).status).toBe(401);
      expect((await signIn('guess-2')).status).toBe(401);
      expect((await signIn(TOKEN)).status).toBe(429);
      const api = await fetch(`${guarded.url}/api/unmatched`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(api.status).toBe(429);
    } finally {
      await guarded.close();
    }
  });

  it('counts wrong tokens per client behind a trusted proxy, by X-Forwarded-For, and ignores it from anyone else', async () => {
    const proxied = await serveAdmin(harness, {
      config: {
        ...harness.config,
        ADMIN_WRONG_TOKENS_PER_MINUTE: 1,
        ADMIN_TRUST_PROXY: ['loopback'],
      },
    });
    const direct = await serveAdmin(harness, {
      config: {
        ...harness.config,
        ADMIN_WRONG_TOKENS_PER_MINUTE: 1,
        ADMIN_TRUST_PROXY: ['192.0.2.1'],
      },
    });
    const api = (server: AdminServer, client: string, token: string) =>
      fetch(`${server.url}/api/unmatched`, {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client },
      });
    try {
      expect((await api(proxied, '203.0.113.1', 'guess')).status).toBe(401);
      expect((await api(proxied, '203.0.113.1', TOKEN)).status).toBe(429);
      expect((await api(proxied, '203.0.113.2', TOKEN)).status).toBe(200);
      // Loopback is not a trusted proxy here: the header is anyone's to forge, so not read.
      expect((await api(direct, '203.0.113.1', 'guess')).status).toBe(401);
      expect((await api(direct, '203.0.113.2', TOKEN)).status).toBe(429);
    } finally {
      await Promise.all([proxied.close(), direct.close()]);
    }
  });
});
