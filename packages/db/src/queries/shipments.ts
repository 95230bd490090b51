import type { ShipmentState } from '@tracksync/domain';
import { count, isNotNull, eq } from 'drizzle-orm';
import type { Database } from '../client';
import { shipments } from '../schema';

export type ShipmentRow = typeof shipments.$inferSelect;

export function toShipmentState(row: ShipmentRow): ShipmentState {
  return {
    trackingNumber: row.trackingNumber,
    orderNumber: row.orderNumber,
    orderReference: row.orderReference,
    carrierName: row.carrierName,
    carrierService: row.carrierService,
    shipmentDate: row.shipmentDate,
    trackingStatus: row.trackingStatus,
    lastUpdatedDate: row.lastUpdatedDate,
    lastEventId: row.lastEventId,
  };
}

export async function findShipment(db: Database, trackingNumber: string) {
  const [row] = await db
    .select()
    .from(shipments)
    .where(eq(shipments.trackingNumber, trackingNumber));
  return row ?? null;
}

export async function countUnmatchedShipments(db: Database): Promise<number> {
  const [row] = await db
    .select({ unmatched: count() })
    .from(shipments)
    .where(isNotNull(shipments.unmatchedSince));
  return row?.unmatched ?? 0;
}
