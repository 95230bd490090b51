import {
  freePort,
  REPO_ROOT,
  startFakeErp,
  startFakeWooCommerce,
  startServiceProcess,
  type FakeErp,
  type FakeWooCommerce,
  type ServiceProcess,
} from '@tracksync/test-support';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  destinationFixture,
  sendEvent,
  waitUntilSettled,
  writeDestinationsFile,
} from '../destinations';
import { startHarness, type WorkerHarness } from '../harness';
import { startSink, type Sink } from '../sink';

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

/**
 * The worker as a process with a destinations file whose secrets come from the environment:
 * no secret may appear in its output at LOG_LEVEL=trace, nor in any ops API answer, also when
 * a token endpoint refuses and a delivery fails.
 */
describe('secrets of destinations', () => {
  let harness: WorkerHarness;
  let sink: Sink;
  let erp: FakeErp;
  let shop: FakeWooCommerce;
  let worker: ServiceProcess;
  let adminUrl: string;
  const admin = secret('admin');
  const bearer = secret('bearer');
  const signing = `whsec_${randomBytes(32).toString('base64')}`;
  const wrongClientSecret = secret('wrong-client');

  beforeAll(async () => {
    harness = await startHarness();
    [sink, erp, shop] = await Promise.all([startSink(), startFakeErp(), startFakeWooCommerce()]);
    shop.addOrder('SO-SECRET-1');
    const path = await writeDestinationsFile(`destinations:
  generic:
    adapter: http
    url: ${sink.url}
    signing_secret: \${SIGNING}
    auth: { type: bearer, token: "\${BEARER}" }
  erp:
    adapter: http
    transform: ${destinationFixture('erp-transform.mjs')}
    transform_options: { base_url: "${erp.url}" }
    auth:
      type: oauth2_client_credentials
      token_url: ${erp.tokenUrl}
      client_id: ${erp.clientId}
      client_secret: \${ERP_SECRET}
  erp-wrong:
    adapter: http
    transform: ${destinationFixture('erp-transform.mjs')}
    transform_options: { base_url: "${erp.url}" }
    auth:
      type: oauth2_client_credentials
      token_url: ${erp.tokenUrl}
      client_id: ${erp.clientId}
      client_secret: \${WRONG_SECRET}
  shop:
    adapter: woocommerce
    options: { url: "${shop.url}", consumer_key: "\${WOO_KEY}", consumer_secret: "\${WOO_SECRET}" }
`);
    const adminPort = await freePort();
    worker = await startServiceProcess({
      entry: 'apps/worker/src/main.ts',
      env: {
        DATABASE_URL: harness.database.url,
        REDIS_URL: harness.redisUrl,
        QUEUE_PREFIX: harness.config.QUEUE_PREFIX,
        LOG_LEVEL: 'trace',
        ADMIN_PORT: String(adminPort),
        ADMIN_TOKEN: admin,
        TRACKSYNC_CONFIG: path,
        DELIVERY_BACKOFF_MS: '50',
        DELIVERY_ATTEMPTS: '2',
        SIGNING: signing,
        BEARER: bearer,
        ERP_SECRET: erp.clientSecret,
        WRONG_SECRET: wrongClientSecret,
        WOO_KEY: shop.consumerKey,
        WOO_SECRET: shop.consumerSecret,
      },
      readyMessage: 'worker started',
    });
    adminUrl = `http://127.0.0.1:${adminPort}`;
  }, 60_000);

  afterAll(async () => {
    await worker.stop();
    await Promise.all([sink.stop(), erp.close(), shop.close()]);
    await harness.close();
  });

  it('keeps every destination secret out of the logs and the ops API', async () => {
    await sendEvent(harness.queues, {
      order: 'SO-SECRET-1',
      tracking: 'TRK-SECRET-1',
      status: 'Dispatched',
      at: '2026-06-18T10:00:00Z',
    });
    await waitUntilSettled(harness.db, 30_000, 4);
    const { rows } = await harness.db.$client.query<{ destination: string; status: string }>(
      "select destination, status from deliveries where tracking_number = 'TRK-SECRET-1' order by destination",
    );
    expect(rows).toEqual([
      { destination: 'erp', status: 'delivered' },
      { destination: 'erp-wrong', status: 'failed' },
      { destination: 'generic', status: 'delivered' },
      { destination: 'shop', status: 'delivered' },
    ]);
    const headers = { authorization: `Bearer ${admin}` };
    const answers = await Promise.all(
      ['/api/destinations', '/api/shipments/TRK-SECRET-1', '/api/deliveries/failed'].map(
        async (path) => (await fetch(`${adminUrl}${path}`, { headers })).text(),
      ),
    );
    expect(answers[0]).toContain('oauth2_client_credentials');
    expect(answers[2]).toContain('token endpoint answered HTTP 401');
    const output = [...answers, JSON.stringify(worker.lines), worker.stderr()].join('\n');
    const secrets = {
      admin,
      bearer,
      signing,
      signingKey: signing.slice('whsec_'.length),
      erpSecret: erp.clientSecret,
      wrongClientSecret,
      wooKey: shop.consumerKey,
      wooSecret: shop.consumerSecret,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(output.includes(value), `${name} appears in the output`).toBe(false);
    }
  }, 60_000);

  it('refuses to start with one line naming the bad key, and no secret in it', async () => {
    const path = await writeDestinationsFile(`destinations:
  erp:
    adapter: http
    url: http://127.0.0.1:9/
    auth: { type: bearer, token: "\${BEARER}" }
    rate_limit_per_sec: lots
`);
    const run = promisify(execFile);
    const failed = await run(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, TRACKSYNC_CONFIG: path, BEARER: bearer },
    }).then(
      () => null,
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toBe(
      'worker: invalid configuration: destinations.erp.rate_limit_per_sec: Invalid input: expected number, received string\n',
    );
    expect(failed?.stdout).not.toContain(bearer);
  }, 30_000);
});
