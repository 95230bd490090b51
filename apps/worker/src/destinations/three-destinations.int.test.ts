import {
  startFakeErp,
  startFakeWooCommerce,
  type FakeErp,
  type FakeWooCommerce,
} from '@tracksync/test-support';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  destinationFixture,
  sendEvent,
  statusCounts,
  waitUntilSettled,
  writeDestinationsFile,
} from '../../test/destinations';
import { startHarness, waitFor, type WorkerHarness } from '../../test/harness';
import { isApplied, startSink, verifySinkRequest, type Sink } from '../../test/sink';
import { createWorkers, type WorkerSet } from '../workers';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const JOURNEY = ['Printed', 'Dispatched', 'InTransit', 'Delivered'] as const;
const SHIPMENTS = 20;

/**
 * The closing scenario: the generic Standard Webhooks destination, a transformation
 * to a URL per order with OAuth2 client credentials (filtered to Dispatched and Delivered),
 * and the WooCommerce plugin, at once, with the generic one and the ERP flapping.
 */
describe('three destinations at once', () => {
  let sink: Sink;
  let erp: FakeErp;
  let shop: FakeWooCommerce;
  let harness: WorkerHarness;
  let workers: WorkerSet;

  beforeAll(async () => {
    // Every third request to the generic destination, every fourth to the ERP: a 503.
    sink = await startSink({
      script: (request) => ({ status: request.index % 3 === 2 ? 503 : 200 }),
    });
    erp = await startFakeErp();
    erp.failWith = (_request, index) => (index % 4 === 3 ? 503 : null);
    shop = await startFakeWooCommerce();
    const path = await writeDestinationsFile(`destinations:
  generic:
    adapter: http
    url: \${SINK_URL}
    signing_secret: \${SINK_SECRET}
  erp:
    adapter: http
    transform: ${destinationFixture('erp-transform.mjs')}
    transform_options:
      base_url: \${ERP_URL}
    auth:
      type: oauth2_client_credentials
      token_url: \${ERP_TOKEN_URL}
      client_id: \${ERP_CLIENT_ID}
      client_secret: \${ERP_CLIENT_SECRET}
    filter:
      statuses: [Dispatched, Delivered]
  shop:
    adapter: woocommerce
    options:
      url: \${WOO_URL}
      consumer_key: \${WOO_KEY}
      consumer_secret: \${WOO_SECRET}
`);
    harness = await startHarness({
      TRACKSYNC_CONFIG: path,
      DELIVERY_BACKOFF_MS: '20',
      WORKER_CONCURRENCY: '8',
      SINK_URL: sink.url,
      SINK_SECRET: SECRET,
      ERP_URL: erp.url,
      ERP_TOKEN_URL: erp.tokenUrl,
      ERP_CLIENT_ID: erp.clientId,
      ERP_CLIENT_SECRET: erp.clientSecret,
      WOO_URL: shop.url,
      WOO_KEY: shop.consumerKey,
      WOO_SECRET: shop.consumerSecret,
    });
    workers = createWorkers(harness);
  });

  afterAll(async () => {
    await workers.close();
    await harness.close();
    await Promise.all([sink.stop(), erp.close(), shop.close()]);
  });

  it('delivers every change each destination should get exactly once, in order per shipment', async () => {
    const orders = Array.from({ length: SHIPMENTS }, (_, i) => `WEB-${1000 + i}`);
    const orderIds = new Map(orders.map((order) => [order, shop.addOrder(order)]));
    // One step of every journey at a time, so each event is a change (none arrives late).
    for (const [step, status] of JOURNEY.entries()) {
      await Promise.all(
        orders.map((order) =>
          sendEvent(harness.queues, {
            order,
            tracking: `TRK-${order}`,
            status,
            at: `2026-06-18T10:0${step}:00Z`,
          }),
        ),
      );
      await waitFor('the step to be stored', async () => {
        const { rows } = await harness.db.$client.query<{ n: number }>(
          'select count(*)::int as n from tracking_events',
        );
        return rows[0]?.n === SHIPMENTS * (step + 1);
      });
    }
    await waitUntilSettled(harness.db, 60_000);

    const counts = await statusCounts(harness.db);
    expect(counts).toEqual({
      generic: { delivered: SHIPMENTS * 4 },
      erp: { delivered: SHIPMENTS * 2, skipped: SHIPMENTS * 2 },
      shop: { delivered: SHIPMENTS * 4 },
    });

    for (const order of orders) {
      // Generic: signed, each change applied once (one 2xx per webhook-id), oldest first.
      const applied = sink.requestsFor(`TRK-${order}`).filter(isApplied);
      for (const request of applied) verifySinkRequest(SECRET, request);
      expect(new Set(applied.map((r) => r.webhookId)).size).toBe(applied.length);
      expect(applied.map((r) => r.body.data.tracking_status)).toEqual(JOURNEY);
      // ERP: only what its filter lets through, once each, in order, at the order's own URL.
      const erpApplied = erp.applied.filter((update) => update.orderNumber === order);
      expect(erpApplied.map((u) => u.body.status)).toEqual(['Dispatched', 'Delivered']);
      // WooCommerce: one note per change, in order, and the order completed.
      const stored = shop.orders.get(orderIds.get(order) ?? 0);
      expect(stored?.notes.map((n) => /: (\w+) \[/.exec(n.note)?.[1])).toEqual(JOURNEY);
      expect(stored?.status).toBe('completed');
    }

    const report = {
      shipments: SHIPMENTS,
      events: SHIPMENTS * JOURNEY.length,
      rows: counts,
      generic: { requests: sink.requests.length, applied: sink.requests.filter(isApplied).length },
      erp: {
        calls: erp.calls.length,
        applied: erp.applied.length,
        answered503: erp.calls.filter((c) => c.status === 503).length,
        tokens: erp.tokensIssued(),
      },
      shop: {
        calls: shop.calls.length,
        notes: [...shop.orders.values()].flatMap((o) => o.notes).length,
      },
    };
    process.stdout.write(`three destinations: ${JSON.stringify(report)}\n`);
    expect(report.generic.applied).toBe(SHIPMENTS * 4);
    expect(report.erp.applied).toBe(SHIPMENTS * 2);
    expect(report.erp.answered503).toBeGreaterThan(0);
    expect(report.generic.requests).toBeGreaterThan(report.generic.applied);
  }, 120_000);
});
