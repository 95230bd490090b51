import type { ShipmentState } from '@tracksync/domain';
import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { deliveries, shipments, trackingEvents } from '../schema';
import { newDeliveryId, type DeliveryReason } from './deliveries';
import { latestAnswersSql } from './delivery-sql';
import { toShipmentState } from './shipments';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** One delivery of `state` per destination, in the order given; returns their ids. */
async function createDeliveries(
  tx: Transaction,
  destinations: readonly string[],
  fields: { trackingNumber: string; eventId: string; reason: DeliveryReason; state: ShipmentState },
): Promise<string[]> {
  if (destinations.length === 0) return [];
  const rows = destinations.map((destination) => ({
    ...fields,
    destination,
    deliveryId: newDeliveryId(),
    receivedAt: new Date(),
  }));
  await tx.insert(deliveries).values(rows);
  return rows.map((row) => row.deliveryId);
}

/**
 * Deliveries of the shipment's current state to `destinations`, asked for by an operator or
 * a retry rather than caused by an event. `sourceOrderId`, when given, links the shipment to
 * its source order first (a manual match). Null when there is no such shipment.
 */
export async function createCurrentStateDelivery(
  db: Database,
  trackingNumber: string,
  reason: Extract<DeliveryReason, 'match' | 'unmatched_retry'>,
  destinations: readonly string[],
  sourceOrderId?: string,
): Promise<string[] | null> {
  return db.transaction(async (tx) => {
    const query = sourceOrderId
      ? tx
          .update(shipments)
          .set({ sourceOrderId, updatedAt: new Date() })
          .where(eq(shipments.trackingNumber, trackingNumber))
          .returning()
      : tx.select().from(shipments).where(eq(shipments.trackingNumber, trackingNumber));
    const [shipment] = await query;
    if (!shipment) return null;
    return createDeliveries(tx, destinations, {
      trackingNumber,
      eventId: shipment.lastEventId,
      reason,
      state: toShipmentState(shipment),
    });
  });
}

/**
 * A delivery of one stored event's state, on purpose: a new delivery id, so neither the
 * event's dedup key nor a failed job kept in Redis stands in its way. Blank fields of the
 * event are filled from the shipment. One per destination given. Null when there is no such
 * event.
 */
export async function createReplayDelivery(
  db: Database,
  eventId: string,
  destinations: readonly string[],
): Promise<string[] | null> {
  return db.transaction(async (tx) => {
    const [event] = await tx
      .select()
      .from(trackingEvents)
      .where(eq(trackingEvents.eventId, eventId));
    if (!event) return null;
    const [shipment] = await tx
      .select()
      .from(shipments)
      .where(eq(shipments.trackingNumber, event.trackingNumber));
    const state: ShipmentState = {
      trackingNumber: event.trackingNumber,
      orderNumber: event.orderNumber,
      orderReference: event.orderReference ?? shipment?.orderReference ?? null,
      carrierName: event.carrierName ?? shipment?.carrierName ?? null,
      carrierService: event.carrierService ?? shipment?.carrierService ?? null,
      shipmentDate: event.shipmentDate ?? shipment?.shipmentDate ?? null,
      trackingStatus: event.trackingStatus,
      lastUpdatedDate: event.lastUpdatedDate,
      lastEventId: event.eventId,
    };
    return createDeliveries(tx, destinations, {
      trackingNumber: event.trackingNumber,
      eventId,
      reason: 'replay',
      state,
    });
  });
}

/**
 * Per shipment, the destinations whose latest answered delivery of it was a 404: where a
 * retry or a manual match has something to find out (the unmatched mark itself is per
 * shipment). One query for the lot; a shipment with none is absent from the map.
 */
export async function listUnmatchedDestinations(
  db: Database,
  trackingNumbers: readonly string[],
): Promise<Map<string, string[]>> {
  const { rows } = await db.$client.query<{ tracking_number: string; destination: string }>(
    `select tracking_number, destination
    from (${latestAnswersSql('tracking_number = any($1)')}) latest
    where status = 'unmatched' order by tracking_number, destination`,
    [trackingNumbers],
  );
  const byShipment = new Map<string, string[]>();
  for (const row of rows) {
    byShipment.set(row.tracking_number, [
      ...(byShipment.get(row.tracking_number) ?? []),
      row.destination,
    ]);
  }
  return byShipment;
}

/** Unmatched shipments with no delivery already on its way: the ones worth asking again. */
export async function listUnmatchedToRetry(db: Database, limit: number): Promise<string[]> {
  const rows = await db
    .select({ trackingNumber: shipments.trackingNumber })
    .from(shipments)
    .where(
      and(
        isNotNull(shipments.unmatchedSince),
        sql`not exists (select 1 from ${deliveries} where ${deliveries.trackingNumber} = ${shipments.trackingNumber} and ${deliveries.status} = 'pending')`,
      ),
    )
    .orderBy(asc(shipments.unmatchedSince))
    .limit(limit);
  return rows.map((row) => row.trackingNumber);
}
