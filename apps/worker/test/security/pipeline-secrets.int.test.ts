import { startFakeStarshipit, type FakeStarshipit } from '@tracksync/starshipit/testing';
import {
  freePort,
  REPO_ROOT,
  startServiceProcess,
  type ServiceProcess,
} from '@tracksync/test-support';
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../admin-server';
import { startHarness, waitFor, type WorkerHarness } from '../harness';
import { answersInTurn, startSink, type Sink } from '../sink';

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const SECRETS = {
  webhook: secret('webhook'),
  admin: secret('admin'),
  source: `whsec_${randomBytes(32).toString('base64')}`,
  apiKey: secret('apikey'),
  subscriptionKey: secret('subkey'),
  databasePassword: secret('dbpass'),
};

/** Order numbers a careless layer would mangle; each is sent, stored and delivered as is. */
const HOSTILE_TEXT = [
  "'; DROP TABLE shipments; --",
  "Robert'); DELETE FROM deliveries WHERE ('1'='1",
  'back\\slash \\\\ and \\u0041 literally',
  '100% _under_ %_ LIKE wildcards',
  'quotes " \' ` and $1 $$ dollar',
  '👩🏽‍🚀📦 emoji with ZWJ',
  'שלום مرحبا RTL',
  '\u202Eoverride\u202C and \u200Bzero width',
  'e\u0301 a\u0308 combining marks',
  'tab\tnew\nline',
  '${jndi:ldap://x} <script>alert(1)</script>',
];

const sign = (body: string) => createHmac('sha256', SECRETS.webhook).update(body).digest('hex');

function payload(index: number, text: string) {
  return {
    order_number: text,
    tracking_number: `SEC-${index}-${text}`,
    tracking_status: 'Dispatched',
    last_updated_date: '2026-06-18T09:35:00Z',
    carrier_name: text,
  };
}

describe('ingress and worker processes handling hostile text with every secret set', () => {
  let harness: WorkerHarness;
  let sink: Sink;
  let starshipit: FakeStarshipit;
  let ingress: ServiceProcess;
  let worker: ServiceProcess;
  let ingressUrl: string;
  let adminUrl: string;

  beforeAll(async () => {
    harness = await startHarness();
    // A source that fails once per change, so the worker logs a retry, then applies it.
    sink = await startSink({ script: answersInTurn({ status: 503 }, { status: 200 }) });
    starshipit = await startFakeStarshipit({
      apiKey: SECRETS.apiKey,
      subscriptionKey: SECRETS.subscriptionKey,
    });
    const [ingressPort, adminPort] = await Promise.all([freePort(), freePort()]);
    const databaseUrl = new URL(harness.database.url);
    databaseUrl.password = SECRETS.databasePassword;
    const common = {
      REDIS_URL: harness.redisUrl,
      QUEUE_PREFIX: harness.config.QUEUE_PREFIX,
      LOG_LEVEL: 'trace',
    };
    [ingress, worker] = await Promise.all([
      startServiceProcess({
        entry: 'apps/ingress/src/main.ts',
        env: { ...common, PORT: String(ingressPort), STARSHIPIT_WEBHOOK_SECRET: SECRETS.webhook },
        readyMessage: 'ingress listening',
      }),
      startServiceProcess({
        entry: 'apps/worker/src/main.ts',
        env: {
          ...common,
          DATABASE_URL: databaseUrl.toString(),
          ADMIN_PORT: String(adminPort),
          ADMIN_TOKEN: SECRETS.admin,
          SOURCE_ADAPTER: 'http',
          SOURCE_HTTP_URL: sink.url,
          SOURCE_HTTP_SECRET: SECRETS.source,
          DELIVERY_BACKOFF_MS: '50',
          STARSHIPIT_API_URL: starshipit.url,
          STARSHIPIT_API_KEY: SECRETS.apiKey,
          STARSHIPIT_SUBSCRIPTION_KEY: SECRETS.subscriptionKey,
        },
        readyMessage: 'worker started',
      }),
    ]);
    ingressUrl = `http://127.0.0.1:${ingressPort}`;
    adminUrl = `http://127.0.0.1:${adminPort}`;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([ingress.stop(), worker.stop()]);
    await Promise.all([sink.stop(), starshipit.close()]);
    await harness.close();
  });

  const postWebhook = (body: string, signature?: string) =>
    fetch(`${ingressUrl}/callback/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'x-starshipit-signature': signature } : {}),
      },
      body,
    });

  it('stores SQL metacharacters and Unicode byte for byte and delivers them unchanged', async () => {
    for (const [index, text] of HOSTILE_TEXT.entries()) {
      const body = JSON.stringify(payload(index, text));
      expect((await postWebhook(body, sign(body))).status).toBe(200);
    }
    const numbers = HOSTILE_TEXT.map((text, index) => payload(index, text).tracking_number);
    await waitFor(
      'every change to be applied by the source',
      () => numbers.every((number) => sink.requestsFor(number).some((r) => r.status === 200)),
      60_000,
    );
    const { rows } = await harness.database.pool.query<{
      tracking_number: string;
      order_number: string;
      carrier_name: string;
      raw_order_number: string;
    }>(
      `select s.tracking_number, s.order_number, s.carrier_name,
              e.payload->>'order_number' as raw_order_number
         from shipments s join tracking_events e on e.tracking_number = s.tracking_number
        where s.tracking_number = any($1)`,
      [numbers],
    );
    expect(rows).toHaveLength(HOSTILE_TEXT.length);
    for (const [index, text] of HOSTILE_TEXT.entries()) {
      const row = rows.find((candidate) => candidate.tracking_number === numbers[index]);
      expect(row).toEqual({
        tracking_number: numbers[index],
        order_number: text,
        carrier_name: text,
        raw_order_number: text,
      });
      const delivered = sink.requestsFor(numbers[index] ?? '')[0];
      expect(delivered?.body.data.order_number).toBe(text);
      expect(delivered?.body.data.carrier_name).toBe(text);
    }
    const shipments = await harness.database.pool.query('select count(*)::int as n from shipments');
    expect(shipments.rows).toEqual([{ n: HOSTILE_TEXT.length }]);
  });

  it('answers 422 to a NUL character, which Postgres cannot store, instead of accepting it', async () => {
    for (const body of [
      JSON.stringify(payload(90, 'SO-\u0000-1')),
      JSON.stringify({ ...payload(91, 'SO-91'), metadata: { note: 'a\u0000b' } }),
    ]) {
      const response = await postWebhook(body, sign(body));
      expect(response.status).toBe(422);
    }
  });

  it('keeps every secret out of both processes’ output through rejections, retries and API calls', async () => {
    expect((await postWebhook('{"unsigned":1}')).status).toBe(401);
    expect((await postWebhook('{"x":1}', sign('{"y":1}'))).status).toBe(401);
    expect((await postWebhook('{broken', sign('{broken'))).status).toBe(400);
    for (const authorization of [
      `Bearer ${SECRETS.admin}x`,
      basicAuth(SECRETS.admin.slice(1)),
      `Bearer ${SECRETS.webhook}`,
    ]) {
      expect(
        (await fetch(`${adminUrl}/api/unmatched`, { headers: { authorization } })).status,
      ).toBe(401);
    }
    // Starshipit refuses for good, echoing the keys as a careless gateway might.
    starshipit.script({
      status: 403,
      body: { message: `bad ${SECRETS.apiKey} / ${SECRETS.subscriptionKey}` },
    });
    const started = await fetch(`${adminUrl}/api/reconcile`, {
      method: 'POST',
      headers: { authorization: basicAuth(SECRETS.admin) },
    });
    expect(started.status).toBe(202);
    await waitFor(
      'a reconciliation run to call Starshipit',
      () => starshipit.requests.length > 1,
      30_000,
    );
    await waitFor(
      'the refused call to be logged',
      () => worker.lines.some((line) => line.msg === 'reconciliation step failed'),
      30_000,
    );

    const output = [
      JSON.stringify(ingress.lines),
      ingress.stderr(),
      JSON.stringify(worker.lines),
      worker.stderr(),
    ].join('\n');
    expect(output).toContain('webhook rejected');
    expect(output).toContain('admin token rejected');
    // The paths that handle a secret were taken: a failed API call, a failed delivery.
    expect(output).toContain('reconciliation step failed');
    expect(output).toContain('delivery will be retried');
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(output.includes(value), `${name} appears in the output`).toBe(false);
    }
    expect(output.includes(SECRETS.source.slice('whsec_'.length))).toBe(false);
  });

  it('keeps secrets out of the one line a bad configuration prints', async () => {
    const run = promisify(execFile);
    const attempt = (entry: string, env: Record<string, string>) =>
      run(process.execPath, ['--import', 'tsx', entry], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, ...env },
      }).then(
        () => ({ code: 0, output: '' }),
        (error: unknown) => {
          const failed = error as { code: number; stdout: string; stderr: string };
          return { code: failed.code, output: failed.stdout + failed.stderr };
        },
      );
    const badSigningSecret = `not-whsec-${SECRETS.source}`;
    const results = await Promise.all([
      attempt('apps/worker/src/main.ts', {
        SOURCE_ADAPTER: 'http',
        SOURCE_HTTP_URL: sink.url,
        SOURCE_HTTP_SECRET: badSigningSecret,
        ADMIN_TOKEN: SECRETS.admin,
      }),
      attempt('apps/ingress/src/main.ts', {
        STARSHIPIT_WEBHOOK_SECRET: SECRETS.webhook,
        MAX_BODY_BYTES: SECRETS.webhook,
      }),
    ]);
    for (const { code, output } of results) {
      expect(code).toBe(1);
      expect(output).toMatch(/invalid configuration: [A-Z_]+: /);
      for (const value of [badSigningSecret, SECRETS.admin, SECRETS.webhook]) {
        expect(output).not.toContain(value);
      }
    }
  });
});
