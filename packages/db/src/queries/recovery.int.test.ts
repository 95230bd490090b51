import { dedupKey, parseTrackingPayload, type TrackingEvent } from '@tracksync/domain';
import { createTestDatabase, type TestDatabase } from '@tracksync/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, trackingEvents } from '../schema';
import { recordDeliveryAttempt, reopenFailedDelivery } from './deliveries';
import { findShipment } from './shipments';
import { recordTrackingEvent } from './record-tracking-event';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

function event(trackingNumber: string, status: string, at: string): TrackingEvent {
  const parsed = parseTrackingPayload(
    {
      order_number: 'SO-1',
      tracking_number: trackingNumber,
      tracking_status: status,
      last_updated_date: at,
      carrier_name: 'Australia Post',
    },
    'UTC',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.event;
}

async function record(trackingNumber: string, status: string, at: string) {
  const incoming = event(trackingNumber, status, at);
  const recorded = await recordTrackingEvent(database.db, {
    eventId: dedupKey(incoming),
    source: 'webhook',
    receivedAt: new Date(),
    event: incoming,
    payload: {},
  });
  if (recorded.result === 'duplicate') throw new Error('unexpected duplicate');
  return recorded;
}

describe('recovery paths', () => {
  it('keeps a shipment final after its events were pruned from the log', async () => {
    await record('PRUNED-1', 'Delivered', '2026-06-12T09:00:00Z');
    await database.db.delete(trackingEvents).where(eq(trackingEvents.trackingNumber, 'PRUNED-1'));

    const late = await record('PRUNED-1', 'InTransit', '2026-06-11T09:00:00Z');

    expect(late.result).toBe('stale');
    expect(late.deliveryId).toBeNull();
    const shipment = await findShipment(database.db, 'PRUNED-1');
    expect(shipment).toMatchObject({ trackingStatus: 'Delivered', carrierName: 'Australia Post' });
  });

  it('reopens a failed delivery for a retry unless a newer change was delivered since', async () => {
    const first = await record('REOPEN-1', 'Dispatched', '2026-06-10T09:00:00Z');
    const second = await record('REOPEN-1', 'InTransit', '2026-06-11T09:00:00Z');
    const rows = await database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.trackingNumber, 'REOPEN-1'))
      .orderBy(deliveries.seq);
    const [older, newer] = rows;
    if (!older || !newer || !first.deliveryId || !second.deliveryId) throw new Error('no rows');
    const settle = (row: typeof older, kind: 'permanent' | 'applied') =>
      recordDeliveryAttempt(database.db, {
        delivery: row,
        adapter: 'http',
        attempt: 1,
        outcome: kind === 'applied' ? { kind } : { kind, reason: 'HTTP 400' },
        lastAttempt: false,
        startedAt: new Date(),
      });

    await settle(older, 'permanent');
    expect(await reopenFailedDelivery(database.db, older)).toBe(true);
    await settle(older, 'permanent');
    await settle(newer, 'applied');

    expect(await reopenFailedDelivery(database.db, older)).toBe(false);
    const [after] = await database.db
      .select({ status: deliveries.status })
      .from(deliveries)
      .where(eq(deliveries.deliveryId, older.deliveryId));
    expect(after?.status).toBe('failed');
  });
});
