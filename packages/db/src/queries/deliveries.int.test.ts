import { dedupKey, parseTrackingPayload, type DeliveryOutcome } from '@tracksync/domain';
import { createTestDatabase, type TestDatabase } from '@tracksync/test-support';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryAttempts, shipments } from '../schema';
import { findDelivery, readDeliveryToSend, recordDeliveryAttempt } from './deliveries';
import { listUnmatchedToRetry } from './delivery-requests';
import { findShipment } from './shipments';
import { recordTrackingEvent } from './record-tracking-event';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

/** Records an event of the shipment (by default its first) and returns its pending delivery. */
async function pendingDelivery(
  trackingNumber: string,
  { status = 'Dispatched', at = '2026-06-18T10:00:00Z' } = {},
) {
  const payload = {
    order_number: `SO-${trackingNumber}`,
    tracking_number: trackingNumber,
    tracking_status: status,
    last_updated_date: at,
  };
  const parsed = parseTrackingPayload(payload, 'UTC');
  if (!parsed.ok) throw new Error('test payload is invalid');
  const recorded = await recordTrackingEvent(database.db, {
    eventId: dedupKey(parsed.event),
    source: 'webhook',
    receivedAt: new Date(),
    event: parsed.event,
    payload,
  });
  if (recorded.result === 'duplicate' || !recorded.deliveryId) throw new Error('no delivery');
  const delivery = await findDelivery(database.db, recorded.deliveryId);
  if (!delivery) throw new Error('delivery row missing');
  return delivery;
}

function recordAttempt(
  delivery: Awaited<ReturnType<typeof pendingDelivery>>,
  outcome: DeliveryOutcome,
  number = 1,
) {
  return recordDeliveryAttempt(database.db, {
    delivery,
    adapter: 'http',
    attempt: number,
    outcome,
    lastAttempt: false,
    startedAt: new Date(),
  });
}

/** The delivery's status after the attempt. */
async function attempt(...args: Parameters<typeof recordAttempt>) {
  return (await recordAttempt(...args)).status;
}

describe('readDeliveryToSend', () => {
  it('reads the delivery, the earlier pending change of its shipment and the matched order id', async () => {
    const first = await pendingDelivery('READ-1');
    const second = await pendingDelivery('READ-1', {
      status: 'InTransit',
      at: '2026-06-18T11:00:00Z',
    });

    expect(await readDeliveryToSend(database.db, second.deliveryId)).toEqual({
      delivery: second,
      sourceOrderId: null,
      earlierPendingId: first.deliveryId,
    });
    expect(await readDeliveryToSend(database.db, first.deliveryId)).toMatchObject({
      earlierPendingId: null,
    });

    await attempt(first, { kind: 'applied', httpStatus: 200 });
    await database.db
      .update(shipments)
      .set({ sourceOrderId: 'ERP-7' })
      .where(eq(shipments.trackingNumber, 'READ-1'));
    expect(await readDeliveryToSend(database.db, second.deliveryId)).toEqual({
      delivery: second,
      sourceOrderId: 'ERP-7',
      earlierPendingId: null,
    });
    expect(await readDeliveryToSend(database.db, 'dlv_missing')).toBeNull();
  });
});

describe('recordDeliveryAttempt', () => {
  it('names the next pending change of the shipment once this one settles, not while it retries', async () => {
    const first = await pendingDelivery('NEXT-1');
    const second = await pendingDelivery('NEXT-1', {
      status: 'InTransit',
      at: '2026-06-18T11:00:00Z',
    });

    expect(
      await recordAttempt(first, { kind: 'retry', reason: 'HTTP 503', httpStatus: 503 }),
    ).toEqual({
      status: 'pending',
      nextPendingId: null,
    });
    expect(await recordAttempt(first, { kind: 'applied', httpStatus: 200 }, 2)).toEqual({
      status: 'delivered',
      nextPendingId: second.deliveryId,
    });
    const settled = await findDelivery(database.db, first.deliveryId);
    expect(settled).toMatchObject({
      status: 'delivered',
      attempts: 2,
      lastHttpStatus: 200,
      lastError: null,
    });
    expect(settled?.finishedAt).toBeInstanceOf(Date);
    expect(await recordAttempt(second, { kind: 'applied', httpStatus: 200 })).toEqual({
      status: 'delivered',
      nextPendingId: null,
    });
  });

  it('keeps a delivered change delivered when a late retry outcome arrives from a worker that lost its lock', async () => {
    const delivery = await pendingDelivery('LATE-1');
    expect(await attempt(delivery, { kind: 'applied', httpStatus: 200 })).toBe('delivered');
    const settled = await findDelivery(database.db, delivery.deliveryId);

    // The first worker's call timed out after another worker had taken the job over.
    const late = await attempt(delivery, { kind: 'retry', reason: 'timeout' });

    expect(late).toBe('delivered');
    // The call still happened, so it is counted; everything the first outcome settled stays.
    expect(await findDelivery(database.db, delivery.deliveryId)).toEqual({
      ...settled,
      attempts: 2,
    });
    const attempts = await database.db
      .select()
      .from(deliveryAttempts)
      .where(eq(deliveryAttempts.deliveryId, delivery.deliveryId))
      .orderBy(asc(deliveryAttempts.id));
    expect(attempts.map((row) => row.outcome)).toEqual(['applied', 'retry']);
  });

  it('does not mark a shipment unmatched on a late 404 for a change that was already delivered', async () => {
    const delivery = await pendingDelivery('LATE-2');
    await attempt(delivery, { kind: 'applied', httpStatus: 200 });

    expect(await attempt(delivery, { kind: 'not_found', httpStatus: 404 })).toBe('delivered');

    expect((await findShipment(database.db, 'LATE-2'))?.unmatchedSince).toBeNull();
    expect(await listUnmatchedToRetry(database.db, 10)).not.toContain('LATE-2');
  });
});
