import { and, asc, count, desc, eq, gte, or } from 'drizzle-orm';
import type { Database } from '../client';
import { deliveries, parkedPayloads, shipments } from '../schema';
import type { DeliveryRow } from './deliveries';
import type { ShipmentRow } from './shipments';

/** A page of a long list: `limit` rows after skipping `offset`. */
export interface PageRequest {
  readonly limit: number;
  readonly offset: number;
}

/** Shipments whose tracking number or order number is exactly `term`, newest change first. */
export async function searchShipments(
  db: Database,
  term: string,
  page: PageRequest,
): Promise<ShipmentRow[]> {
  return db
    .select()
    .from(shipments)
    .where(or(eq(shipments.trackingNumber, term), eq(shipments.orderNumber, term)))
    .orderBy(desc(shipments.updatedAt), asc(shipments.trackingNumber))
    .limit(page.limit)
    .offset(page.offset);
}

/**
 * Deliveries that failed for good, the latest failure first; each row keeps its last error
 * and HTTP status, so no scan of the attempt log is needed.
 */
export async function listFailedDeliveries(
  db: Database,
  page: PageRequest,
): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(deliveries)
    .where(eq(deliveries.status, 'failed'))
    .orderBy(desc(deliveries.finishedAt), desc(deliveries.seq))
    .limit(page.limit)
    .offset(page.offset);
}

/** Which failed deliveries a bulk retry takes: one destination's, those settled since. */
export interface FailedDeliveryScope {
  readonly destination?: string | undefined;
  readonly since?: Date | undefined;
}

/**
 * Failed deliveries in `seq` order, oldest first: the order a bulk retry must reopen them in,
 * so each shipment's earlier change is pending again before its later one is.
 */
export async function listFailedDeliveriesInOrder(
  db: Database,
  limit: number,
  scope: FailedDeliveryScope = {},
): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.status, 'failed'),
        scope.destination === undefined ? undefined : eq(deliveries.destination, scope.destination),
        scope.since === undefined ? undefined : gte(deliveries.finishedAt, scope.since),
      ),
    )
    .orderBy(asc(deliveries.seq))
    .limit(limit);
}

/** Pending and failed deliveries per destination: the ops API's view of each one's backlog. */
export async function countDeliveriesByDestination(
  db: Database,
): Promise<{ destination: string; pending: number; failed: number }[]> {
  const { rows } = await db.$client.query<{ destination: string; pending: number; failed: number }>(
    `select destination, count(*) filter (where status = 'pending')::int as pending,
      count(*) filter (where status = 'failed')::int as failed
    from deliveries where status in ('pending', 'failed') group by destination`,
  );
  return rows;
}

/** Deliveries that failed for good: all, or since `since` (by when they were settled). */
export async function countFailedDeliveries(db: Database, since?: Date): Promise<number> {
  const [row] = await db
    .select({ failed: count() })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.status, 'failed'),
        since === undefined ? undefined : gte(deliveries.finishedAt, since),
      ),
    );
  return row?.failed ?? 0;
}

export async function countParkedPayloads(db: Database): Promise<number> {
  const [row] = await db.select({ parked: count() }).from(parkedPayloads);
  return row?.parked ?? 0;
}
