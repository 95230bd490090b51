import type { ShipmentState } from '@tracksync/domain';
import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { deliveries, shipments, trackingEvents } from '../schema';
import { createDelivery, type DeliveryReason } from './deliveries';
import { toShipmentState } from './shipments';

/**
 * A delivery of the shipment's current state, asked for by an operator or a retry rather than
 * caused by an event. `sourceOrderId`, when given, links the shipment to its source order
 * first (a manual match). Null when there is no such shipment.
 */
export async function createCurrentStateDelivery(
  db: Database,
  trackingNumber: string,
  reason: Extract<DeliveryReason, 'match' | 'unmatched_retry'>,
  sourceOrderId?: string,
): Promise<string | null> {
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
    return createDelivery(tx, {
      trackingNumber,
      eventId: shipment.lastEventId,
      reason,
      state: toShipmentState(shipment),
      receivedAt: new Date(),
    });
  });
}

/**
 * A delivery of one stored event's state, on purpose: a new delivery id, so neither the
 * event's dedup key nor a failed job kept in Redis stands in its way. Blank fields of the
 * event are filled from the shipment. Null when there is no such event.
 */
export async function createReplayDelivery(db: Database, eventId: string): Promise<string | null> {
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
    return createDelivery(tx, {
      trackingNumber: event.trackingNumber,
      eventId,
      reason: 'replay',
      state,
      receivedAt: new Date(),
    });
  });
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
