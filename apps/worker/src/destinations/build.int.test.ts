import { ConfigError } from '@tracksync/runtime';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { destinationFixture, writeDestinationsFile } from '../../test/destinations';
import { loadWorkerConfig } from '../config';
import { buildDestinations } from './build';

const log = pino({ level: 'silent' });
const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

async function build(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const path = await writeDestinationsFile(yaml);
  const config = loadWorkerConfig({ TRACKSYNC_CONFIG: path });
  return buildDestinations(config, { env, log });
}

/** The one line the worker would print: the ConfigError's message. */
async function refusal(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const err: unknown = await build(yaml, env).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  const message = (err as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('the destinations file', () => {
  it("without a file, is one destination named default: today's adapter from the environment", async () => {
    const config = loadWorkerConfig({
      SOURCE_ADAPTER: 'http',
      SOURCE_HTTP_URL: 'http://127.0.0.1:9/hook',
      SOURCE_HTTP_SECRET: SECRET,
    });
    const set = await buildDestinations(config, { env: {}, log });
    expect(set.names).toEqual(['default']);
    expect(set.get('default')?.adapter.name).toBe('http');
    expect(set.get('default')?.summary.target).toBe('http://127.0.0.1:9');
  });

  it('builds every kind of destination, filters and caps included, in file order', async () => {
    const set = await build(
      `destinations:
  generic:
    adapter: http
    url: http://127.0.0.1:9/hook
    signing_secret: \${SIGNING}
  erp:
    adapter: http
    transform: ${destinationFixture('erp-transform.mjs')}
    transform_options: { base_url: http://127.0.0.1:9 }
    auth: { type: oauth2_client_credentials, token_url: http://127.0.0.1:9/t, client_id: c, client_secret: "\${ERP_SECRET}" }
    filter: { statuses: [Dispatched, Delivered] }
    rate_limit_per_sec: 5
  shop:
    adapter: woocommerce
    options: { url: http://127.0.0.1:9, consumer_key: ck, consumer_secret: cs }
  lookup:
    adapter: plugin
    module: ${destinationFixture('lookup-plugin.mjs')}
    options: { url: http://127.0.0.1:9 }
  audit:
    adapter: log
`,
      { SIGNING: SECRET, ERP_SECRET: 'erp-client-secret' },
    );
    expect(set.names).toEqual(['generic', 'erp', 'shop', 'lookup', 'audit']);
    expect(set.get('erp')).toMatchObject({
      rateLimitPerSec: 5,
      summary: { adapter: 'http', transform: true, auth: 'oauth2_client_credentials' },
    });
    expect(JSON.stringify(set.all.map((d) => d.summary))).not.toContain('erp-client-secret');
    const state = {
      trackingNumber: 'T',
      orderNumber: 'O',
      orderReference: null,
      carrierName: null,
      carrierService: null,
      shipmentDate: null,
      trackingStatus: 'InTransit',
      lastUpdatedDate: '2026-06-18T09:35:00Z',
      lastEventId: 'e',
    };
    expect(set.outbox(state).map((row) => row.deliver)).toEqual([true, false, true, true, true]);
  });

  it("resolves module paths against the file's own folder", async () => {
    const path = await writeDestinationsFile(`destinations:
  lookup:
    adapter: plugin
    module: ./nowhere/plugin.mjs
    options: { url: http://127.0.0.1:9 }
`);
    const config = loadWorkerConfig({ TRACKSYNC_CONFIG: path });
    const err = await buildDestinations(config, { env: {}, log }).catch((e: unknown) => e);
    expect(String(err)).toContain(path.replace(/destinations\.yaml$/, 'nowhere/plugin.mjs'));
  });

  it.each([
    [
      'an unknown adapter',
      'destinations:\n  erp:\n    adapter: soap\n',
      /^destinations\.erp\.adapter: /,
    ],
    [
      'an invalid URL',
      'destinations:\n  erp:\n    adapter: http\n    url: not a url\n',
      /^destinations\.erp\.url: /,
    ],
    [
      'http without URL or transform',
      'destinations:\n  erp:\n    adapter: http\n',
      /^destinations\.erp\.url: required unless transform is set$/,
    ],
    [
      'a misspelt key',
      'destinations:\n  erp:\n    adapter: log\n    filtre: {}\n',
      /^destinations\.erp: Unrecognized key: "filtre"$/,
    ],
    ['a bad name', 'destinations:\n  "ERP:1":\n    adapter: log\n', /^destinations\.ERP:1: /],
    [
      'a bad pattern',
      'destinations:\n  erp:\n    adapter: log\n    filter: { order_number: "(" }\n',
      /^destinations\.erp\.filter\.order_number: must be a valid regular expression$/,
    ],
    ['no destinations', 'destinations: {}\n', /^destinations: name at least one destination$/],
    [
      'a zero rate',
      'destinations:\n  erp:\n    adapter: log\n    rate_limit_per_sec: 0\n',
      /^destinations\.erp\.rate_limit_per_sec: /,
    ],
    [
      'a weak signing secret',
      'destinations:\n  erp:\n    adapter: http\n    url: http://x.test/\n    signing_secret: abc\n',
      /^destinations\.erp\.signing_secret: must be a Standard Webhooks secret/,
    ],
    ['YAML that does not parse', 'destinations: [\n', /^TRACKSYNC_CONFIG: .* is not valid YAML: /],
  ])('refuses %s with one line naming the key', async (_what, yaml, line) => {
    expect(await refusal(yaml)).toMatch(line);
  });

  it('names the key whose ${VAR} is not set, and never prints a value', async () => {
    const message = await refusal(
      `destinations:
  erp:
    adapter: http
    url: http://127.0.0.1:9/
    auth: { type: bearer, token: "\${ERP_TOKEN}" }
`,
    );
    expect(message).toBe('destinations.erp.auth.token: environment variable ERP_TOKEN is not set');
  });

  it.each([
    [
      'a transformation that cannot be found',
      'transform: ./missing.mjs',
      /^destinations\.erp\.transform: cannot load transformation /,
    ],
    [
      'a module without a default function',
      `transform: ${destinationFixture('not-a-function.mjs')}`,
      /^destinations\.erp\.transform: transformation .* must default-export a function$/,
    ],
  ])('refuses %s', async (_what, line, expected) => {
    expect(await refusal(`destinations:\n  erp:\n    adapter: http\n    ${line}\n`)).toMatch(
      expected,
    );
  });

  it('refuses plugin options the plugin rejects, and WooCommerce options by key', async () => {
    expect(
      await refusal(
        `destinations:\n  lookup:\n    adapter: plugin\n    module: ${destinationFixture('lookup-plugin.mjs')}\n`,
      ),
    ).toBe('destinations.lookup.options: url: required');
    expect(
      await refusal(
        'destinations:\n  shop:\n    adapter: woocommerce\n    options: { url: http://x.test }\n',
      ),
    ).toMatch(/^destinations\.shop\.options\.consumer_key: /);
  });

  it('shows what a transformation produces, without sending it', async () => {
    const set = await build(`destinations:
  erp:
    adapter: http
    transform: ${destinationFixture('erp-transform.mjs')}
    transform_options: { base_url: "https://erp.example.com" }
`);
    const preview = await set.get('erp')?.adapter.preview?.({
      deliveryId: 'dlv_preview',
      orderNumber: 'SO 7',
      sourceOrderId: null,
      trackingNumber: 'TRK7',
      carrierName: 'NZ Post',
      carrierService: 'CPOLTPA5',
      trackingStatus: 'Delivered',
      shipmentDate: null,
      lastUpdatedDate: '2026-06-18T09:35:00Z',
      orderReference: null,
    });
    expect(preview).toMatchObject({
      method: 'PUT',
      url: 'https://erp.example.com/api/orders/SO%207/shipment',
      headers: { 'Idempotency-Key': 'dlv_preview' },
      body: { status: 'Delivered', tracking_number: 'TRK7' },
    });
  });
});
