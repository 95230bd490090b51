import { createWorkerConnection } from '@tracksync/queue';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  busiestWindow,
  fillerRows,
  minutesAgo,
  newTrackingNumber,
  recordWebhook,
  requestsTo,
  startReconcileFixture,
  trackResult,
  webhookPayload,
  zoneless,
  type ReconcileFixture,
} from '../../test/reconcile-fixture';
import { runReconciliation, type ReconcileDeps } from './run';
import { createStarshipitFromConfig } from './starshipit';

/** Starshipit's Developer tier: the budget every replica of a deployment shares. */
const RATE_PER_SEC = 2;

let fx: ReconcileFixture;
// Two connections stand for two worker processes: they share nothing but Redis and the prefix.
let replicas: Redis[];

beforeAll(async () => {
  fx = await startReconcileFixture({
    workers: false,
    env: { STARSHIPIT_RATE_LIMIT_PER_SEC: String(RATE_PER_SEC) },
  });
  replicas = [
    createWorkerConnection(fx.harness.redisUrl),
    createWorkerConnection(fx.harness.redisUrl),
  ];
});

afterAll(async () => {
  await Promise.all(replicas.map((redis) => redis.quit()));
  await fx.close();
});

beforeEach(() => {
  fx.fake.requests.length = 0;
  fx.fake.shippedOrders = [];
  fx.fake.tracks = [];
});

/** What one worker process would build: its own client and connection, the deployment's config. */
function replicaDeps(redis: Redis): ReconcileDeps {
  const client = createStarshipitFromConfig(
    fx.harness.config,
    redis,
    fx.harness.metrics.starshipitRequests,
  );
  if (!client) throw new Error('credentials missing from the harness config');
  return { ...fx.deps, client };
}

/** Shipments silent for two days (STALE_AFTER is 24 h), each with an unchanged /api/track result. */
async function seedSilentShipments(count: number): Promise<string[]> {
  const at = minutesAgo(48 * 60);
  const trackingNumbers = Array.from({ length: count }, () => newTrackingNumber('SILENT'));
  for (const trackingNumber of trackingNumbers) {
    await recordWebhook(
      fx.harness.db,
      webhookPayload({ trackingNumber, status: 'InTransit', at: at.toISOString() }),
    );
  }
  fx.fake.tracks = trackingNumbers.map((trackingNumber) =>
    trackResult({ trackingNumber, status: 'In Transit', lastUpdated: zoneless(at) }),
  );
  return trackingNumbers;
}

const arrivals = () => fx.fake.requests.map((request) => request.arrivedAt);

describe('Starshipit rate budget', () => {
  it('keeps two worker processes running reconciliations at once within 2 requests per second at the API', async () => {
    await seedSilentShipments(3);
    // Three pages of shipped orders (the client asks for 250 a page).
    fx.fake.shippedOrders = fillerRows(600);
    const [first, second] = replicas.map(replicaDeps) as [ReconcileDeps, ReconcileDeps];

    const started = performance.now();
    const runs = await Promise.all([
      runReconciliation(first, 'schedule'),
      runReconciliation(second, 'manual'),
    ]);
    const elapsed = performance.now() - started;

    for (const run of runs) expect(run).toMatchObject({ errors: [], pages: 3 });
    expect(runs.every((run) => run.requests >= 4)).toBe(true);
    const total = fx.fake.requests.length;
    expect(runs[0].requests + runs[1].requests).toBe(total);
    expect(fx.fake.requests.every((request) => request.status === 200)).toBe(true);
    expect(busiestWindow(arrivals(), 1_000)).toBeLessThanOrEqual(RATE_PER_SEC);
    // One shared budget, not one per process: n requests need about n/2 seconds.
    expect(elapsed).toBeGreaterThanOrEqual((Math.ceil(total / RATE_PER_SEC) - 1) * 1_000);
  });

  it('honours Retry-After on a 429: the retry reaches the API at least that long after', async () => {
    const [trackingNumber] = await seedSilentShipments(1);
    fx.fake.script({ status: 429, retryAfter: '1', path: '/api/track' });

    const run = await runReconciliation(replicaDeps(replicas[0]!), 'schedule');

    expect(run).toMatchObject({ errors: [], shipmentsPolled: 1 });
    const tracked = requestsTo(fx.fake, '/api/track');
    expect(tracked.map((request) => request.status)).toEqual([429, 200]);
    expect(tracked.map((request) => request.query.get('tracking_number'))).toEqual([
      trackingNumber,
      trackingNumber,
    ]);
    expect(tracked[1]!.arrivedAt - tracked[0]!.arrivedAt).toBeGreaterThanOrEqual(1_000);
    expect(busiestWindow(arrivals(), 1_000)).toBeLessThanOrEqual(RATE_PER_SEC);
  });

  it('backs off and retries a 429 that names no wait, and the run still succeeds', async () => {
    fx.fake.shippedOrders = fillerRows(10);
    fx.fake.script({ status: 429, path: '/api/orders/shipped' });

    const run = await runReconciliation(replicaDeps(replicas[1]!), 'schedule');

    expect(run).toMatchObject({ errors: [], pages: 1 });
    const shipped = requestsTo(fx.fake, '/api/orders/shipped');
    expect(shipped.map((request) => [request.query.get('page'), request.status])).toEqual([
      ['1', 429],
      ['1', 200],
    ]);
    // Equal jitter over a 1 s first step: never sooner than half of it.
    expect(shipped[1]!.arrivedAt - shipped[0]!.arrivedAt).toBeGreaterThanOrEqual(500);
    expect(busiestWindow(arrivals(), 1_000)).toBeLessThanOrEqual(RATE_PER_SEC);
  });
});
