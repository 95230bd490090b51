import { deliveries, findDelivery } from '@tracksync/db';
import { asc, eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, waitFor, waitForJobState, type WorkerHarness } from '../../test/harness';
import { deliveryOf, newTrackingNumber, recordAttempt, recordWebhook } from '../../test/seed';
import { startSink, type Sink } from '../../test/sink';
import { createWorkers, type WorkerSet } from '../workers';
import { retryFailedDeliveries, retryFailedDelivery } from './requests';
import { enqueueDelivery } from './schedule';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe('retrying failed deliveries', () => {
  let sink: Sink;
  let harness: WorkerHarness;
  let workers: WorkerSet;

  beforeAll(async () => {
    sink = await startSink({ script: () => ({ status: 200 }) });
    harness = await startHarness({
      SOURCE_ADAPTER: 'http',
      SOURCE_HTTP_URL: sink.url,
      SOURCE_HTTP_SECRET: SECRET,
      DELIVERY_BACKOFF_MS: '50',
    });
    workers = createWorkers(harness);
  });

  afterAll(async () => {
    await workers.close();
    await harness.close();
    await sink.stop();
  });

  /** A change of `trackingNumber` to `status`, failed for good without a job left in Redis. */
  async function failedChange(trackingNumber: string, status: string, minute: number) {
    const deliveryId = deliveryOf(
      await recordWebhook(harness.db, {
        orderNumber: `SO-${trackingNumber}`,
        trackingNumber,
        status,
        at: `2026-06-18T10:${String(minute).padStart(2, '0')}:00Z`,
      }),
    );
    await recordAttempt(harness.db, deliveryId, 1, {
      kind: 'permanent',
      httpStatus: 400,
      reason: 'HTTP 400',
    });
    return deliveryId;
  }

  const statusesOf = async (trackingNumber: string) =>
    (
      await harness.db
        .select({ status: deliveries.status })
        .from(deliveries)
        .where(eq(deliveries.trackingNumber, trackingNumber))
        .orderBy(asc(deliveries.seq))
    ).map((row) => row.status);

  it('sends every failed change of a shipment again, oldest first, under the same webhook-ids', async () => {
    const trackingNumber = newTrackingNumber('RETRYALL');
    const first = await failedChange(trackingNumber, 'Dispatched', 0);
    const second = await failedChange(trackingNumber, 'InTransit', 5);
    const third = await failedChange(trackingNumber, 'Delivered', 9);

    expect(await retryFailedDeliveries(harness)).toEqual({ queued: 3, refused: 0 });
    await waitFor(
      'every change to be delivered',
      async () => {
        const statuses = await statusesOf(trackingNumber);
        return statuses.every((status) => status === 'delivered');
      },
      30_000,
    );

    const sent = sink.requestsFor(trackingNumber);
    expect(sent.map((request) => request.webhookId)).toEqual([first, second, third]);
    expect(sent.map((request) => request.body.data.tracking_status)).toEqual([
      'Dispatched',
      'InTransit',
      'Delivered',
    ]);
  });

  it('refuses to send an older failed change once a newer one was delivered', async () => {
    const trackingNumber = newTrackingNumber('RETRYOLD');
    const older = await failedChange(trackingNumber, 'Dispatched', 0);
    const newer = deliveryOf(
      await recordWebhook(harness.db, {
        orderNumber: `SO-${trackingNumber}`,
        trackingNumber,
        status: 'Delivered',
        at: '2026-06-18T11:00:00Z',
      }),
    );
    await recordAttempt(harness.db, newer, 1, { kind: 'applied', httpStatus: 200 });

    expect(await retryFailedDelivery(harness, older)).toBe('refused');
    expect(await retryFailedDelivery(harness, newer)).toBe('not_failed');
    expect(await retryFailedDelivery(harness, `dlv_${'0'.repeat(32)}`)).toBe('not_found');
    expect(await findDelivery(harness.db, older)).toMatchObject({ status: 'failed' });
    expect(await harness.queues.delivery.getJob(older)).toBeUndefined();
  });

  it('re-runs a failed job still kept in Redis, as Bull Board would', async () => {
    const trackingNumber = newTrackingNumber('RETRYJOB');
    sink.script = (request) =>
      request.body.data.tracking_number === trackingNumber &&
      sink.requestsFor(trackingNumber).length === 1
        ? { status: 400 }
        : { status: 200 };
    const deliveryId = deliveryOf(
      await recordWebhook(harness.db, {
        orderNumber: `SO-${trackingNumber}`,
        trackingNumber,
        status: 'Dispatched',
        at: '2026-06-18T10:00:00Z',
      }),
    );
    await enqueueDelivery(harness, deliveryId);
    await waitForJobState(harness.queues.delivery, deliveryId, 'failed');
    await waitFor(
      'the row to fail',
      async () => (await statusesOf(trackingNumber))[0] === 'failed',
    );

    expect(await retryFailedDelivery(harness, deliveryId)).toBe('queued');
    await waitForJobState(harness.queues.delivery, deliveryId, 'completed');
    expect(await findDelivery(harness.db, deliveryId)).toMatchObject({ status: 'delivered' });
    expect(sink.requestsFor(trackingNumber).map((r) => [r.webhookId, r.status])).toEqual([
      [deliveryId, 400],
      [deliveryId, 200],
    ]);
  });
});
