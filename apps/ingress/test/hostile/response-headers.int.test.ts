import type { Queues } from '@tracksync/queue';
import { serveHttp } from '@tracksync/runtime';
import {
  deleteQueuePrefix,
  STARSHIPIT_GUIDE_EXAMPLE,
  testRedisUrl,
  uniqueQueuePrefix,
} from '@tracksync/test-support';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { loadIngressConfig } from '../../src/config';
import { sign, startIngress, type RunningIngress } from '../ingress-harness';
import { rawExchange } from '../raw-http';

const SECRET = 'headers-webhook-secret';
const VALID = JSON.stringify(STARSHIPIT_GUIDE_EXAMPLE);

/** What would tell a scanner which framework, server or version answers; error bodies too. */
function expectNoBanner(headers: Headers | string, errorBody: string) {
  const text =
    typeof headers === 'string' ? headers : [...headers].map((h) => h.join(': ')).join('\n');
  expect(text).not.toMatch(/^x-powered-by:/im);
  expect(text).not.toMatch(/^server:/im);
  expect(text).not.toMatch(/^x-aspnet|^via:/im);
  expect(errorBody).not.toMatch(/express|node\.js|<pre>|\n\s+at /i);
}

describe('ingress answers carry no framework banner', () => {
  const redisUrl = testRedisUrl();
  const prefix = uniqueQueuePrefix();
  let ingress: RunningIngress;
  let broken: Server;
  let brokenUrl: string;

  beforeAll(async () => {
    ingress = await startIngress({ redisUrl, prefix, env: { STARSHIPIT_WEBHOOK_SECRET: SECRET } });
    // The producer connection is still connecting right after start: readiness waits for it.
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${ingress.url}/readyz`)).status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A bug in the accepted path (here: logging throws) is the one way to a 5xx besides
    // Redis (503); the last-resort error handler answers it with a bare 500.
    const accepting = { add: () => Promise.resolve({}), addBulk: () => Promise.resolve([]) };
    const queues = { ingest: accepting, parked: accepting } as unknown as Queues;
    const log = Object.assign(pino({ level: 'silent' }), {
      debug: () => {
        throw new TypeError('a bug in the ingress');
      },
    });
    const app = createApp({
      config: loadIngressConfig({}),
      queues,
      redis: { ping: () => Promise.resolve('PONG') },
      log,
    });
    broken = await serveHttp(app, { port: 0, host: '127.0.0.1' });
    brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    broken.closeAllConnections();
    await new Promise((resolve) => broken.close(resolve));
    await ingress.close();
    await deleteQueuePrefix(redisUrl, prefix);
  });

  const signedPost = (body: string, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-starshipit-signature': sign(body, SECRET),
      ...headers,
    },
    body,
  });

  it.each<[string, string, RequestInit, number]>([
    ['health', '/healthz', {}, 200],
    ['readiness', '/readyz', {}, 200],
    ['metrics', '/metrics', {}, 200],
    ['an accepted webhook', '/callback/', signedPost(VALID), 200],
    ['invalid JSON', '/callback/', signedPost('{oops'), 400],
    ['a missing signature', '/callback/', { method: 'POST', body: VALID }, 401],
    ['a wrong shape', '/callback/', signedPost('{"order_number":"x"}'), 422],
    ['a body too large', '/callback/', signedPost(`"${'x'.repeat(70_000)}"`), 413],
    ['an unknown encoding', '/callback/', signedPost(VALID, { 'content-encoding': 'br2' }), 415],
    ['an unknown route', '/wp-login.php', {}, 404],
    ['a malformed path', '/callback/%E0%A4%A', { method: 'POST', body: VALID }, 404],
    ['a wrong method', '/callback/', { method: 'DELETE' }, 404],
  ])('for %s (%s)', async (_case, path, init, status) => {
    const response = await fetch(`${ingress.url}${path}`, init);
    expect(response.status).toBe(status);
    const body = await response.text();
    expectNoBanner(response.headers, status >= 400 ? body : '');
  });

  it('for the 500 of an internal error', async () => {
    const response = await fetch(`${brokenUrl}/callback/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: VALID,
    });
    expect(response.status).toBe(500);
    expect(await response.clone().json()).toEqual({ error: 'internal_error' });
    expectNoBanner(response.headers, await response.text());
  });

  it.each([
    [
      'a 100 KB header',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
      431,
    ],
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', 400],
    ['an unknown method', 'BREW /callback/ HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ])('for the answer Node itself gives to %s', async (_case, request, status) => {
    const port = Number(new URL(ingress.url).port);
    const answer = await rawExchange(port, request);
    expect(answer.status).toBe(status);
    const [head = '', body = ''] = answer.text.split('\r\n\r\n');
    expectNoBanner(head, body);
  });
});
