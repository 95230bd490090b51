import { dedupKey } from '@tracksync/domain';
import { createTestDatabase, type TestDatabase } from '@tracksync/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDelivery, recordDeliveryAttempt } from './deliveries';
import { listUnmatchedDestinations } from './delivery-requests';
import { findShipment } from './shipments';
import { recordTrackingEvent, type OutboxPlanner } from './record-tracking-event';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const TWO: OutboxPlanner = () => [
  { destination: 'erp', deliver: true },
  { destination: 'shop', deliver: true },
];

async function change(status: string, at: string) {
  const event = {
    orderNumber: 'SO-U1',
    trackingNumber: 'TRK-U1',
    trackingStatus: status,
    statusKnown: true,
    lastUpdatedDate: at,
    shipmentDate: null,
    carrierName: null,
    carrierService: null,
    orderReference: null,
  };
  const recorded = await recordTrackingEvent(
    database.db,
    { eventId: dedupKey(event), source: 'webhook', receivedAt: new Date(), event, payload: {} },
    TWO,
  );
  if (recorded.result === 'duplicate') throw new Error('expected a change');
  return Object.fromEntries(recorded.deliveries.map((row) => [row.destination, row.deliveryId]));
}

async function answer(deliveryId: string | undefined, kind: 'applied' | 'not_found') {
  const delivery = await findDelivery(database.db, deliveryId ?? '');
  if (!delivery) throw new Error('no delivery');
  await recordDeliveryAttempt(database.db, {
    delivery,
    adapter: 'http',
    attempt: 1,
    outcome: { kind, httpStatus: kind === 'applied' ? 200 : 404 },
    lastAttempt: false,
    startedAt: new Date(),
  });
}

async function unmatchedAt(trackingNumber: string): Promise<string[]> {
  return (await listUnmatchedDestinations(database.db, [trackingNumber])).get(trackingNumber) ?? [];
}

describe('unmatched with several destinations', () => {
  it('keeps the shipment unmatched until no destination still answers 404', async () => {
    const first = await change('Dispatched', '2026-06-18T10:00:00Z');
    await answer(first.erp, 'not_found');
    await answer(first.shop, 'applied');
    // The shop's success does not clear what the ERP said.
    expect((await findShipment(database.db, 'TRK-U1'))?.unmatchedSince).toBeInstanceOf(Date);
    expect(await unmatchedAt('TRK-U1')).toEqual(['erp']);

    const second = await change('Delivered', '2026-06-18T11:00:00Z');
    await answer(second.shop, 'applied');
    expect((await findShipment(database.db, 'TRK-U1'))?.unmatchedSince).toBeInstanceOf(Date);
    await answer(second.erp, 'applied');
    expect((await findShipment(database.db, 'TRK-U1'))?.unmatchedSince).toBeNull();
    expect(await unmatchedAt('TRK-U1')).toEqual([]);
  });
});
