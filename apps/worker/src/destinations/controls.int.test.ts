import { deliveries } from '@tracksync/db';
import { and, asc, eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  destinationFixture,
  sendEvent,
  waitUntilSettled,
  writeDestinationsFile,
} from '../../test/destinations';
import { startHarness, waitFor, type WorkerHarness } from '../../test/harness';
import { isApplied, startSink, type Sink } from '../../test/sink';
import { retryFailedDeliveries } from '../deliveries/requests';
import { createWorkers, type WorkerSet } from '../workers';
import { createDestinationControl } from './control';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe('pause, rate cap, bulk retry and broken transformations per destination', () => {
  let sinkA: Sink;
  let sinkB: Sink;
  let sinkRated: Sink;
  let harness: WorkerHarness;
  let workers: WorkerSet;
  let replica: WorkerSet;

  beforeAll(async () => {
    [sinkA, sinkB, sinkRated] = await Promise.all([startSink(), startSink(), startSink()]);
    const path = await writeDestinationsFile(`destinations:
  a:
    adapter: http
    url: ${sinkA.url}
    signing_secret: \${SECRET}
  b:
    adapter: http
    transform: ${destinationFixture('broken-transform.mjs')}
    transform_options: { url: "${sinkB.url}" }
    filter: { carriers: [NZ Post] }
  rated:
    adapter: http
    url: ${sinkRated.url}
    rate_limit_per_sec: 5
    filter: { order_number: "^RATE-" }
`);
    harness = await startHarness({ TRACKSYNC_CONFIG: path, SECRET, DELIVERY_BACKOFF_MS: '50' });
    workers = createWorkers(harness);
    // A second replica: its own process-local state, the same Redis and Postgres.
    replica = createWorkers({
      ...harness,
      control: createDestinationControl({
        redis: harness.connection,
        prefix: harness.config.QUEUE_PREFIX,
      }),
    });
  });

  afterAll(async () => {
    await Promise.all([workers.close(), replica.close()]);
    await harness.close();
    await Promise.all([sinkA.stop(), sinkB.stop(), sinkRated.stop()]);
  });

  const rowsOf = (tracking: string, destination: string) =>
    harness.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.trackingNumber, tracking), eq(deliveries.destination, destination)))
      .orderBy(asc(deliveries.seq));

  it("holds a paused destination's changes without spending attempts, then sends them in order", async () => {
    await harness.control.pause('a');
    const journey = ['Dispatched', 'InTransit', 'Delivered'];
    for (const [i, status] of journey.entries()) {
      await sendEvent(harness.queues, {
        order: 'SO-P1',
        tracking: 'PAUSE-1',
        status,
        at: `2026-06-18T10:0${i}:00Z`,
      });
      await waitFor('the event', async () => (await rowsOf('PAUSE-1', 'b')).length === i + 1);
    }
    await waitFor('b to deliver all three', async () =>
      (await rowsOf('PAUSE-1', 'b')).every((row) => row.status === 'delivered'),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const held = await rowsOf('PAUSE-1', 'a');
    expect(held.map((row) => [row.status, row.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
    ]);
    expect(sinkA.requestsFor('PAUSE-1')).toEqual([]);

    await harness.control.resume('a');
    await waitUntilSettled(harness.db);
    expect(sinkA.requestsFor('PAUSE-1').map((r) => r.body.data.tracking_status)).toEqual(journey);
  }, 60_000);

  it('fails only the change whose transformation throws or asks for a bad request, with the error stored', async () => {
    for (const order of ['BAD-1', 'REL-1', 'OK-1']) {
      await sendEvent(harness.queues, {
        order,
        tracking: `T-${order}`,
        status: 'Dispatched',
        at: '2026-06-18T10:00:00Z',
      });
    }
    await waitFor('the events', async () => (await rowsOf('T-OK-1', 'b')).length === 1);
    await waitFor('the events', async () => (await rowsOf('T-BAD-1', 'b')).length === 1);
    await waitFor('the events', async () => (await rowsOf('T-REL-1', 'b')).length === 1);
    await waitUntilSettled(harness.db);
    const [bad] = await rowsOf('T-BAD-1', 'b');
    const [relative] = await rowsOf('T-REL-1', 'b');
    expect(bad).toMatchObject({
      status: 'failed',
      lastError: 'transformation threw: no mapping for BAD-1',
      attempts: 1,
    });
    expect(relative).toMatchObject({ status: 'failed', attempts: 1 });
    expect(relative?.lastError).toContain('url: must be an absolute http(s) URL');
    expect((await rowsOf('T-OK-1', 'b'))[0]?.status).toBe('delivered');
    // The other destination heard of all three.
    for (const order of ['BAD-1', 'REL-1', 'OK-1']) {
      expect((await rowsOf(`T-${order}`, 'a'))[0]?.status).toBe('delivered');
    }
  }, 60_000);

  it("skips, and records as skipped, what a destination's filter leaves out", async () => {
    await sendEvent(harness.queues, {
      order: 'SO-AUS',
      tracking: 'T-AUS',
      status: 'Dispatched',
      at: '2026-06-18T10:00:00Z',
      carrier: 'Australia Post',
    });
    await waitFor('the event', async () => (await rowsOf('T-AUS', 'a')).length === 1);
    await waitUntilSettled(harness.db);
    const { rows } = await harness.db.$client.query<{ destination: string; status: string }>(
      "select destination, status from deliveries where tracking_number = 'T-AUS' order by destination",
    );
    expect(rows).toEqual([
      { destination: 'a', status: 'delivered' },
      { destination: 'b', status: 'skipped' },
      { destination: 'rated', status: 'skipped' },
    ]);
  });

  it("retries one destination's failed deliveries, since a time, in order per shipment", async () => {
    const tracking = 'T-RETRY';
    for (const [i, status] of ['Dispatched', 'InTransit', 'Delivered'].entries()) {
      await sendEvent(harness.queues, {
        order: 'SO-R',
        tracking,
        status,
        at: `2026-06-18T11:0${i}:00Z`,
      });
      await waitFor('the event', async () => (await rowsOf(tracking, 'a')).length === i + 1);
    }
    await waitUntilSettled(harness.db);
    // Mark every change failed at both destinations, as after a long outage.
    await harness.db
      .update(deliveries)
      .set({ status: 'failed', finishedAt: new Date() })
      .where(eq(deliveries.trackingNumber, tracking));
    const before = sinkA.requestsFor(tracking).length;
    expect(
      await retryFailedDeliveries(harness, 500, {
        destination: 'a',
        since: new Date(Date.now() + 60_000),
      }),
    ).toEqual({ queued: 0, refused: 0 });
    expect(
      await retryFailedDeliveries(harness, 500, {
        destination: 'a',
        since: new Date(Date.now() - 60_000),
      }),
    ).toEqual({ queued: 3, refused: 0 });
    await waitUntilSettled(harness.db);
    const again = sinkA.requestsFor(tracking).slice(before);
    expect(again.map((r) => r.body.data.tracking_status)).toEqual([
      'Dispatched',
      'InTransit',
      'Delivered',
    ]);
    expect((await rowsOf(tracking, 'b')).map((row) => row.status)).toEqual([
      'failed',
      'failed',
      'failed',
    ]);
  }, 60_000);

  it('keeps a destination under its rate cap across two worker replicas', async () => {
    const count = 20;
    const started = Date.now();
    for (let i = 0; i < count; i += 1) {
      await sendEvent(harness.queues, {
        order: `RATE-${i}`,
        tracking: `T-RATE-${i}`,
        status: 'Dispatched',
        at: '2026-06-18T10:00:00Z',
      });
    }
    await waitFor(
      'every capped delivery',
      () => sinkRated.requests.filter(isApplied).length >= count,
      30_000,
    );
    const arrivals = sinkRated.requests.map((r) => r.receivedAt).sort((x, y) => x - y);
    // Any 6 arrivals span more than a second: never more than 5 in one.
    for (let i = 5; i < arrivals.length; i += 1) {
      expect((arrivals[i] ?? 0) - (arrivals[i - 5] ?? 0)).toBeGreaterThanOrEqual(1000);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    // Waiting for the cap spent no attempt: each change took one call. The outcome is
    // recorded just after the sink answers, so wait for the rows to settle first.
    await waitUntilSettled(harness.db);
    const { rows } = await harness.db.$client.query<{ status: string; attempts: number }>(
      "select status, attempts from deliveries where destination = 'rated' and tracking_number like 'T-RATE-%'",
    );
    expect(rows).toHaveLength(count);
    expect(rows.every((row) => row.status === 'delivered' && row.attempts === 1)).toBe(true);
  }, 60_000);
});
