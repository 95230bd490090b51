import {
  classifyProjection,
  isKnownStatus,
  projectHistory,
  type ProjectionResult,
  type ShipmentState,
  type StoredEvent,
  type TrackingEvent,
} from '@tracksync/domain';
import { desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { shipments, trackingEvents } from '../schema';
import { createDelivery } from './deliveries';
import { toShipmentRow, toShipmentState } from './shipments';

export interface IncomingEvent {
  readonly eventId: string;
  readonly source: 'webhook' | 'poll' | 'replay';
  readonly receivedAt: Date;
  readonly event: TrackingEvent;
  readonly payload: Record<string, unknown>;
}

export type RecordResult =
  | { readonly result: 'duplicate' }
  | {
      readonly result: ProjectionResult;
      readonly before: ShipmentState | null;
      readonly after: ShipmentState;
      /** The delivery created for this change of state; null when the state did not change. */
      readonly deliveryId: string | null;
    };

/**
 * Stores the event once and re-derives its shipment, in one transaction. A transaction-scoped
 * advisory lock on the tracking number serialises work per shipment across worker replicas,
 * while different shipments proceed in parallel. The projection is refolded from the whole
 * history, so a late event lands where it belongs instead of depending on arrival order.
 */
export async function recordTrackingEvent(
  db: Database,
  incoming: IncomingEvent,
): Promise<RecordResult> {
  const { event, eventId } = incoming;
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${event.trackingNumber}, 0))`,
    );
    const history = await loadHistory(tx, event.trackingNumber);
    if (history.some((stored) => stored.eventId === eventId)) return { result: 'duplicate' };

    const [current] = await tx
      .select()
      .from(shipments)
      .where(eq(shipments.trackingNumber, event.trackingNumber));
    const before = current ? toShipmentState(current) : null;
    // When old events were pruned from the log, the stored state stands in for them, so the
    // fold starts from what the shipment already is and can never move it backwards.
    const pruned = before && !history.some((stored) => stored.eventId === before.lastEventId);
    const seed = pruned ? [stateAsEvent(before)] : [];
    const after = projectHistory([...seed, ...history, { eventId, event }]);
    if (!after) throw new Error('a history with one event always projects a state');
    const result = classifyProjection(before, after, event);

    const inserted = await tx
      .insert(trackingEvents)
      .values({
        eventId,
        source: incoming.source,
        ...event,
        lastUpdatedAt: new Date(event.lastUpdatedDate),
        payload: incoming.payload,
        result,
        receivedAt: incoming.receivedAt,
      })
      .onConflictDoNothing({ target: trackingEvents.eventId })
      .returning({ id: trackingEvents.id });
    if (inserted.length === 0) return { result: 'duplicate' };

    if (result === 'applied' || result === 'merged') {
      const row = { ...toShipmentRow(after), updatedAt: new Date() };
      await tx
        .insert(shipments)
        .values(row)
        .onConflictDoUpdate({ target: shipments.trackingNumber, set: row });
    }
    // Only a change of state is delivered: a merge, a restatement or a late event is not.
    const deliveryId =
      result === 'applied'
        ? await createDelivery(tx, {
            trackingNumber: event.trackingNumber,
            eventId,
            reason: 'change',
            state: after,
            receivedAt: incoming.receivedAt,
          })
        : null;
    return { result, before, after, deliveryId };
  });
}

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

async function loadHistory(tx: Transaction, trackingNumber: string): Promise<StoredEvent[]> {
  const rows = await tx
    .select()
    .from(trackingEvents)
    .where(eq(trackingEvents.trackingNumber, trackingNumber));
  return rows.map((row) => ({
    eventId: row.eventId,
    event: {
      orderNumber: row.orderNumber,
      trackingNumber: row.trackingNumber,
      trackingStatus: row.trackingStatus,
      statusKnown: row.statusKnown,
      lastUpdatedDate: row.lastUpdatedDate,
      shipmentDate: row.shipmentDate,
      carrierName: row.carrierName,
      carrierService: row.carrierService,
      orderReference: row.orderReference,
    },
  }));
}

export interface EventFilter {
  readonly orderNumber?: string;
  readonly trackingNumber?: string;
  readonly limit: number;
}

/** Stored events, newest first. */
export async function listTrackingEvents(db: Database, filter: EventFilter) {
  const conditions = [
    filter.orderNumber === undefined
      ? undefined
      : eq(trackingEvents.orderNumber, filter.orderNumber),
    filter.trackingNumber === undefined
      ? undefined
      : eq(trackingEvents.trackingNumber, filter.trackingNumber),
  ].filter((condition) => condition !== undefined);
  return db
    .select()
    .from(trackingEvents)
    .where(conditions.length > 0 ? sql.join(conditions, sql` and `) : undefined)
    .orderBy(desc(trackingEvents.lastUpdatedAt), desc(trackingEvents.id))
    .limit(filter.limit);
}

function stateAsEvent(state: ShipmentState): StoredEvent {
  const { lastEventId, ...fields } = state;
  return {
    eventId: lastEventId,
    event: { ...fields, statusKnown: isKnownStatus(fields.trackingStatus) },
  };
}
