import type {
  DeliveryAttemptRow,
  DeliveryRow,
  DeliveryWithAttempts,
  ParkedPayloadRow,
  ShipmentRow,
  TrackingEventRow,
} from '@tracksync/db';
import type { ShipmentState } from '@tracksync/domain';

/*
 * The API's JSON is a contract of its own: keys are spelled out here, in snake_case like
 * Starshipit's payloads, so renaming a column or a domain field cannot change an answer.
 */

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

export function presentShipment(row: ShipmentRow) {
  return {
    tracking_number: row.trackingNumber,
    order_number: row.orderNumber,
    order_reference: row.orderReference,
    source_order_id: row.sourceOrderId,
    carrier_name: row.carrierName,
    carrier_service: row.carrierService,
    shipment_date: row.shipmentDate,
    tracking_status: row.trackingStatus,
    last_updated_date: row.lastUpdatedDate,
    last_event_id: row.lastEventId,
    unmatched_since: iso(row.unmatchedSince),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export function presentEvent(row: TrackingEventRow) {
  return {
    event_id: row.eventId,
    source: row.source,
    result: row.result,
    order_number: row.orderNumber,
    tracking_number: row.trackingNumber,
    tracking_status: row.trackingStatus,
    status_known: row.statusKnown,
    last_updated_date: row.lastUpdatedDate,
    shipment_date: row.shipmentDate,
    carrier_name: row.carrierName,
    carrier_service: row.carrierService,
    order_reference: row.orderReference,
    received_at: iso(row.receivedAt),
    stored_at: iso(row.storedAt),
    /** As Starshipit sent it. */
    payload: row.payload,
  };
}

/** The state a delivery pushes (or pushed) to the source system. */
function presentState(state: ShipmentState) {
  return {
    order_number: state.orderNumber,
    tracking_number: state.trackingNumber,
    tracking_status: state.trackingStatus,
    last_updated_date: state.lastUpdatedDate,
    shipment_date: state.shipmentDate,
    carrier_name: state.carrierName,
    carrier_service: state.carrierService,
    order_reference: state.orderReference,
    last_event_id: state.lastEventId,
  };
}

/** A delivery's summary, without its attempts. */
export function presentDeliveryRow(row: DeliveryRow) {
  return {
    destination: row.destination,
    delivery_id: row.deliveryId,
    reason: row.reason,
    status: row.status,
    event_id: row.eventId,
    attempts_made: row.attempts,
    last_error: row.lastError,
    last_http_status: row.lastHttpStatus,
    received_at: iso(row.receivedAt),
    created_at: iso(row.createdAt),
    finished_at: iso(row.finishedAt),
  };
}

/** A request that created one delivery per destination: the first id, and all of them. */
export function presentDeliveryIds(ids: readonly string[]) {
  return { delivery_id: ids[0] ?? null, delivery_ids: ids };
}

function presentAttempt(row: DeliveryAttemptRow) {
  return {
    attempt: row.attempt,
    adapter: row.adapter,
    tracking_status: row.trackingStatus,
    outcome: row.outcome,
    http_status: row.httpStatus,
    error: row.error,
    retry_after_ms: row.retryAfterMs,
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
  };
}

export function presentDelivery({ delivery, attempts }: DeliveryWithAttempts) {
  return {
    ...presentDeliveryRow(delivery),
    state: presentState(delivery.state),
    attempts: attempts.map(presentAttempt),
  };
}

export function presentParked(row: ParkedPayloadRow) {
  return {
    parked_id: row.parkedId,
    reason: row.reason,
    issues: row.issues,
    /** The raw body as received: it may not even be JSON. */
    body: row.body,
    received_at: iso(row.receivedAt),
    stored_at: iso(row.storedAt),
  };
}

export type ShipmentJson = ReturnType<typeof presentShipment>;
export type EventJson = ReturnType<typeof presentEvent>;
export type DeliveryJson = ReturnType<typeof presentDelivery>;
export type DeliverySummaryJson = ReturnType<typeof presentDeliveryRow>;
export type ParkedJson = ReturnType<typeof presentParked>;
