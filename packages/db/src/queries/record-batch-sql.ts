import type pg from 'pg';
import { outboxInsertSql, outboxJsonOf } from './outbox-sql';
import type { EventWrite } from './record-event-sql';

/**
 * The ingest statements of a group commit: several events of distinct shipments read in one
 * statement and written in one, with the same per-row rules as READ_SHIPMENT and WRITE_EVENT
 * (record-event-sql.ts). The events travel as one JSON array, so a batch of any size is one
 * parameter and one prepared statement.
 */

/** READ_SHIPMENT for every tracking number of `$1` (a text array) at once. */
export const READ_SHIPMENTS: pg.QueryConfig = {
  name: 'tracksync_read_shipments',
  text: `select s.tracking_number, s.order_number, s.order_reference, s.carrier_name,
  s.carrier_service, s.shipment_date, s.tracking_status, s.last_updated_date, s.last_event_id,
  s.revision,
  (select max(e.last_updated_at) from tracking_events e
    where e.tracking_number = s.tracking_number) as latest_event_at
from shipments s where s.tracking_number = any($1::text[])`,
};

/**
 * WRITE_EVENT for many events of distinct shipments in one atomic statement. A new shipment
 * is inserted unless one appeared meanwhile; a known one moves only if its revision is still
 * the one its state was computed from (compare-and-set). An event is stored only if its
 * shipment moved, its deliveries only if the event was stored. Returns one row per shipment
 * that moved, saying whether its event was stored; a shipment missing from the answer lost
 * its compare-and-set, and its event must be computed again.
 */
export const WRITE_EVENTS: pg.QueryConfig = {
  name: 'tracksync_write_events',
  text: `with input as (
  select * from jsonb_to_recordset($1::jsonb) as i(tracking_number text, order_number text,
    order_reference text, carrier_name text, carrier_service text, shipment_date text,
    tracking_status text, last_updated_date text, last_updated_at timestamptz,
    last_event_id text, expected_revision integer, changed boolean, event_id text,
    source text, event_order_number text, event_tracking_status text, status_known boolean,
    event_last_updated_date text, event_last_updated_at timestamptz, event_shipment_date text,
    event_carrier_name text, event_carrier_service text, event_order_reference text,
    payload jsonb, result text, received_at timestamptz, outbox jsonb, delivery_state jsonb)
), inserted as (
  insert into shipments (tracking_number, order_number, order_reference, carrier_name,
    carrier_service, shipment_date, tracking_status, last_updated_date, last_updated_at,
    last_event_id, revision)
  select tracking_number, order_number, order_reference, carrier_name, carrier_service,
    shipment_date, tracking_status, last_updated_date, last_updated_at, last_event_id, 1
  from input where expected_revision is null
  on conflict (tracking_number) do nothing
  returning tracking_number
), updated as (
  update shipments s set order_number = i.order_number, order_reference = i.order_reference,
    carrier_name = i.carrier_name, carrier_service = i.carrier_service,
    shipment_date = i.shipment_date, tracking_status = i.tracking_status,
    last_updated_date = i.last_updated_date, last_updated_at = i.last_updated_at,
    last_event_id = i.last_event_id, revision = s.revision + 1,
    updated_at = case when i.changed then now() else s.updated_at end
  from input i
  where s.tracking_number = i.tracking_number and s.revision = i.expected_revision
  returning s.tracking_number
), projected as (
  select tracking_number from inserted union all select tracking_number from updated
), recorded as (
  insert into tracking_events (event_id, source, order_number, tracking_number, tracking_status,
    status_known, last_updated_date, last_updated_at, shipment_date, carrier_name,
    carrier_service, order_reference, payload, result, received_at)
  select i.event_id, i.source, i.event_order_number, i.tracking_number, i.event_tracking_status,
    i.status_known, i.event_last_updated_date, i.event_last_updated_at, i.event_shipment_date,
    i.event_carrier_name, i.event_carrier_service, i.event_order_reference, i.payload,
    i.result, i.received_at
  from input i where i.tracking_number in (select tracking_number from projected)
  on conflict (event_id) do nothing
  returning tracking_number
), outbox as (
  ${outboxInsertSql({
    rows: 'i.outbox',
    trackingNumber: 'i.tracking_number',
    eventId: 'i.event_id',
    state: 'i.delivery_state',
    receivedAt: 'i.received_at',
    from: 'input i',
    where: 'i.tracking_number in (select tracking_number from recorded)',
  })}
)
select p.tracking_number,
  exists (select 1 from recorded r where r.tracking_number = p.tracking_number) as recorded
from projected p`,
};

/** One element of WRITE_EVENTS' array: the values writeEventValues gives WRITE_EVENT, named. */
export function batchRowOf(write: EventWrite): Record<string, unknown> {
  const { shipment, event } = write;
  return {
    tracking_number: shipment.trackingNumber,
    order_number: shipment.orderNumber,
    order_reference: shipment.orderReference,
    carrier_name: shipment.carrierName,
    carrier_service: shipment.carrierService,
    shipment_date: shipment.shipmentDate,
    tracking_status: shipment.trackingStatus,
    last_updated_date: shipment.lastUpdatedDate,
    // Milliseconds, as the single-event statement stores them (a Date parameter).
    last_updated_at: new Date(shipment.lastUpdatedDate).toISOString(),
    last_event_id: shipment.lastEventId,
    expected_revision: write.expectedRevision,
    changed: write.changed,
    event_id: write.eventId,
    source: write.source,
    event_order_number: event.orderNumber,
    event_tracking_status: event.trackingStatus,
    status_known: event.statusKnown,
    event_last_updated_date: event.lastUpdatedDate,
    event_last_updated_at: new Date(event.lastUpdatedDate).toISOString(),
    event_shipment_date: event.shipmentDate,
    event_carrier_name: event.carrierName,
    event_carrier_service: event.carrierService,
    event_order_reference: event.orderReference,
    payload: write.payload,
    result: write.result,
    received_at: write.receivedAt.toISOString(),
    outbox: outboxJsonOf(write.outbox),
    delivery_state: write.outbox.length === 0 ? null : shipment,
  };
}
