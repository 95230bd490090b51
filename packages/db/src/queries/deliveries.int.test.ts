import { dedupKey, parseTrackingPayload, type DeliveryOutcome } from '@tracksync/domain';
import { createTestDatabase, type TestDatabase } from '@tracksync/test-support';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryAttempts } from '../schema';
import { findDelivery, recordDeliveryAttempt } from './deliveries';
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

/** Records a first event for a new shipment and returns its pending delivery. */
async function pendingDelivery(trackingNumber: string) {
  const payload = {
    order_number: `SO-${trackingNumber}`,
    tracking_number: trackingNumber,
    tracking_status: 'Dispatched',
    last_updated_date: '2026-06-18T10:00:00Z',
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

function attempt(
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

describe('recordDeliveryAttempt', () => {
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
