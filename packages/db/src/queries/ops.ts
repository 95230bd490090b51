import { and, asc, desc, eq, gt, inArray, isNotNull } from 'drizzle-orm';
import type { Database } from '../client';
import { deliveries, deliveryAttempts, shipments } from '../schema';
import type { parkedPayloads, trackingEvents } from '../schema';
import type { DeliveryRow } from './deliveries';
import type { ShipmentRow } from './shipments';
import { listTrackingEvents } from './tracking-events';

export type TrackingEventRow = typeof trackingEvents.$inferSelect;
export type DeliveryAttemptRow = typeof deliveryAttempts.$inferSelect;
export type ParkedPayloadRow = typeof parkedPayloads.$inferSelect;

export interface DeliveryWithAttempts {
  readonly delivery: DeliveryRow;
  /** Oldest first: the order the calls were made in. */
  readonly attempts: readonly DeliveryAttemptRow[];
}

export interface ShipmentDetail {
  readonly shipment: ShipmentRow;
  /** Newest first. */
  readonly events: readonly TrackingEventRow[];
  /** Newest first. */
  readonly deliveries: readonly DeliveryWithAttempts[];
}

/**
 * A shipment has tens of events and deliveries, but every replay adds a delivery; the cap
 * keeps one response bounded should an operator (or a script) replay in a loop.
 */
export const SHIPMENT_HISTORY_LIMIT = 500;

/** A shipment with its event history and its deliveries, for the ops API. Null when unknown. */
export async function findShipmentDetail(
  db: Database,
  trackingNumber: string,
): Promise<ShipmentDetail | null> {
  const [shipment] = await db
    .select()
    .from(shipments)
    .where(eq(shipments.trackingNumber, trackingNumber));
  if (!shipment) return null;
  const [events, deliveryRows] = await Promise.all([
    listTrackingEvents(db, { trackingNumber, limit: SHIPMENT_HISTORY_LIMIT }),
    db
      .select()
      .from(deliveries)
      .where(eq(deliveries.trackingNumber, trackingNumber))
      .orderBy(desc(deliveries.seq))
      .limit(SHIPMENT_HISTORY_LIMIT),
  ]);
  const attempts = await listAttemptsOf(
    db,
    deliveryRows.map((row) => row.deliveryId),
  );
  return {
    shipment,
    events,
    deliveries: deliveryRows.map((delivery) => ({
      delivery,
      attempts: attempts.filter((attempt) => attempt.deliveryId === delivery.deliveryId),
    })),
  };
}

async function listAttemptsOf(
  db: Database,
  deliveryIds: readonly string[],
): Promise<DeliveryAttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .select()
    .from(deliveryAttempts)
    .where(inArray(deliveryAttempts.deliveryId, [...deliveryIds]))
    .orderBy(asc(deliveryAttempts.id));
}

export interface UnmatchedShipment {
  readonly shipment: ShipmentRow;
  /** The newest delivery the source system answered (it may be retrying): what it said last. */
  readonly lastAnswered: DeliveryRow | null;
}

/** Shipments whose order the source system does not know, the longest waiting first. */
export async function listUnmatchedShipments(
  db: Database,
  limit: number,
  offset = 0,
): Promise<UnmatchedShipment[]> {
  const rows = await db
    .select()
    .from(shipments)
    .where(isNotNull(shipments.unmatchedSince))
    .orderBy(asc(shipments.unmatchedSince), asc(shipments.trackingNumber))
    .limit(limit)
    .offset(offset);
  if (rows.length === 0) return [];
  // Through `deliveries` (indexed by tracking number) rather than scanning the attempt log,
  // which only grows; a delivery keeps its last error and HTTP status.
  const answered = await db
    .selectDistinctOn([deliveries.trackingNumber])
    .from(deliveries)
    .where(
      and(
        inArray(
          deliveries.trackingNumber,
          rows.map((row) => row.trackingNumber),
        ),
        gt(deliveries.attempts, 0),
      ),
    )
    .orderBy(deliveries.trackingNumber, desc(deliveries.seq));
  const byTrackingNumber = new Map(answered.map((row) => [row.trackingNumber, row]));
  return rows.map((shipment) => ({
    shipment,
    lastAnswered: byTrackingNumber.get(shipment.trackingNumber) ?? null,
  }));
}
