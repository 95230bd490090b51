import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type WorkerHarness } from '../../test/harness';
import { ADMIN_AUTH_CHALLENGE } from './auth';
import { basicAuth, serveAdmin, type AdminServer } from '../../test/admin-server';

const TOKEN = 's3cret:token-with-a-colon';

describe('admin token', () => {
  let harness: WorkerHarness;
  let open: AdminServer;
  let locked: AdminServer;

  beforeAll(async () => {
    harness = await startHarness({ ADMIN_TOKEN: TOKEN });
    locked = await serveAdmin(harness);
    open = await serveAdmin(harness, { config: { ...harness.config, ADMIN_TOKEN: undefined } });
  });

  afterAll(async () => {
    await Promise.all([open.close(), locked.close()]);
    await harness.close();
  });

  const get = (path: string, authorization?: string) =>
    fetch(`${locked.url}${path}`, { headers: authorization ? { authorization } : {} });

  it.each(['/api/unmatched', '/admin/queues', '/admin/queues/api/queues'])(
    'answers 401 with a Basic challenge when %s is asked without credentials',
    async (path) => {
      const response = await get(path);

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(ADMIN_AUTH_CHALLENGE);
      expect(await response.json()).toEqual({ error: 'unauthorized' });
    },
  );

  it('answers 401 to a wrong bearer token and logs neither token', async () => {
    const response = await get('/api/unmatched', 'Bearer not-the-token');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(ADMIN_AUTH_CHALLENGE);
    expect(harness.lines).toContainEqual(
      expect.objectContaining({ msg: 'admin token rejected', path: '/api/unmatched' }),
    );
    const logged = JSON.stringify(harness.lines);
    expect(logged).not.toContain('not-the-token');
    expect(logged).not.toContain(TOKEN);
  });

  it('answers 401 to a token that is only a prefix or an extension of the right one', async () => {
    for (const wrong of [TOKEN.slice(0, -1), `${TOKEN}x`, '']) {
      expect((await get('/api/unmatched', `Bearer ${wrong}`)).status).toBe(401);
      expect((await get('/api/unmatched', basicAuth(wrong))).status).toBe(401);
    }
  });

  it('lets the right bearer token through', async () => {
    const response = await get('/api/unmatched', `Bearer ${TOKEN}`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ shipments: [] });
  });

  it('accepts the token as the Basic password under any user name', async () => {
    const api = await get('/api/unmatched', basicAuth(TOKEN, 'anyone'));
    const board = await get('/admin/queues', basicAuth(TOKEN, ''));

    expect(api.status).toBe(200);
    expect(board.status).toBe(200);
    expect(board.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('answers 401 to Basic with a wrong password', async () => {
    const response = await get('/admin/queues', basicAuth('guess'));

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(ADMIN_AUTH_CHALLENGE);
  });

  it('refuses a cross-site POST that rides on a browser’s Basic credentials', async () => {
    const replay = (headers: Record<string, string>) =>
      fetch(`${locked.url}/api/events/${'0'.repeat(64)}/replay`, { method: 'POST', headers });

    const forged = await replay({
      authorization: basicAuth(TOKEN),
      'sec-fetch-site': 'cross-site',
    });
    const fromBoard = await replay({
      authorization: basicAuth(TOKEN),
      'sec-fetch-site': 'same-origin',
    });
    const scripted = await replay({ authorization: `Bearer ${TOKEN}` });

    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({ error: 'cross_site_request' });
    expect(fromBoard.status).toBe(404);
    expect(scripted.status).toBe(404);
  });

  it('answers 404 on /api and /admin and keeps health and metrics open when ADMIN_TOKEN is unset', async () => {
    const answers = await Promise.all(
      ['/api/unmatched', '/admin/queues', '/admin/queues/api/queues'].map((path) =>
        fetch(`${open.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } }),
      ),
    );
    for (const response of answers) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'not_found' });
    }
    expect((await fetch(`${open.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    expect(harness.lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'ADMIN_TOKEN is not set: Bull Board, the ops API and the console are off (404)',
      }),
    );
  });

  it('keeps health, readiness and metrics open when ADMIN_TOKEN is set', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect((await get(path)).status).toBe(200);
    }
  });
});
