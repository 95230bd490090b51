import type { ShipmentState, StoredEvent, TrackingEvent } from '@tracksync/domain';
import type pg from 'pg';
import { outboxInsertSql, outboxJsonOf, type OutboxRow } from './outbox-sql';

/**
 * The statements of the ingest path, written out once as named (server-side prepared)
 * statements: Postgres plans each once per connection, and the worker builds no SQL per event.
 * They are the hottest queries tracksync runs, and the benchmark's plain-pg loop runs exactly
 * these, so the comparison measures the worker and not two different queries.
 */

const SHIPMENT_STATE_COLUMNS = `s.tracking_number, s.order_number, s.order_reference, s.carrier_name,
  s.carrier_service, s.shipment_date, s.tracking_status, s.last_updated_date, s.last_event_id`;

/** The shipment as it stands, its revision, and the latest instant in its event log (ms). */
export const READ_SHIPMENT: pg.QueryConfig = {
  name: 'tracksync_read_shipment',
  text: `select ${SHIPMENT_STATE_COLUMNS}, s.revision,
  (select max(e.last_updated_at) from tracking_events e
    where e.tracking_number = s.tracking_number) as latest_event_at
from shipments s where s.tracking_number = $1`,
};

export const LOAD_HISTORY: pg.QueryConfig = {
  name: 'tracksync_load_history',
  text: `select event_id, order_number, tracking_number, tracking_status, status_known,
  last_updated_date, shipment_date, carrier_name, carrier_service, order_reference
from tracking_events where tracking_number = $1`,
};

/**
 * Records one event in one atomic statement: the shipment moves to its new state only if its
 * revision is still the one the state was computed from (compare-and-set), the event is stored
 * only if the shipment moved, and the deliveries (the outbox rows, one per destination) only if the event was stored.
 * `$11` null means "the shipment must not exist yet". Zero rows projected: somebody else
 * recorded an event of this shipment meanwhile, and the caller computes again.
 */
export const WRITE_EVENT: pg.QueryConfig = {
  name: 'tracksync_write_event',
  text: `with projected as (
  insert into shipments as s (tracking_number, order_number, order_reference, carrier_name,
    carrier_service, shipment_date, tracking_status, last_updated_date, last_updated_at,
    last_event_id, revision)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz, $10, 1)
  on conflict (tracking_number) do update set order_number = excluded.order_number,
    order_reference = excluded.order_reference, carrier_name = excluded.carrier_name,
    carrier_service = excluded.carrier_service, shipment_date = excluded.shipment_date,
    tracking_status = excluded.tracking_status, last_updated_date = excluded.last_updated_date,
    last_updated_at = excluded.last_updated_at, last_event_id = excluded.last_event_id,
    revision = s.revision + 1,
    updated_at = case when $12::boolean then now() else s.updated_at end
  where s.revision = $11::integer
  returning 1
), recorded as (
  insert into tracking_events (event_id, source, order_number, tracking_number, tracking_status,
    status_known, last_updated_date, last_updated_at, shipment_date, carrier_name,
    carrier_service, order_reference, payload, result, received_at)
  select $13, $14, $15, $1, $16, $17::boolean, $18, $19::timestamptz, $20, $21, $22, $23,
    $24::jsonb, $25, $26::timestamptz
  where exists (select 1 from projected)
  on conflict (event_id) do nothing
  returning 1
), outbox as (
  ${outboxInsertSql({
    rows: '$27::jsonb',
    trackingNumber: '$1',
    eventId: '$13',
    state: '$28::jsonb',
    receivedAt: '$26::timestamptz',
    from: '(select 1) as one',
    where: 'exists (select 1 from recorded)',
  })}
)
select (select count(*) from projected)::int as projected,
  (select count(*) from recorded)::int as recorded`,
};

export interface EventWrite {
  readonly eventId: string;
  readonly source: string;
  readonly receivedAt: Date;
  readonly event: TrackingEvent;
  readonly payload: Record<string, unknown>;
  readonly result: string;
  /** What the shipment row holds afterwards (its current state when nothing changed). */
  readonly shipment: ShipmentState;
  /** True when the state changed: only then is the shipment's `updated_at` moved. */
  readonly changed: boolean;
  /** The revision the state was computed from; null for a shipment seen for the first time. */
  readonly expectedRevision: number | null;
  /** One row per configured destination when the event changed the state; else none. */
  readonly outbox: readonly OutboxRow[];
}

export function writeEventValues(write: EventWrite): unknown[] {
  const { shipment, event } = write;
  return [
    shipment.trackingNumber,
    shipment.orderNumber,
    shipment.orderReference,
    shipment.carrierName,
    shipment.carrierService,
    shipment.shipmentDate,
    shipment.trackingStatus,
    shipment.lastUpdatedDate,
    new Date(shipment.lastUpdatedDate),
    shipment.lastEventId,
    write.expectedRevision,
    write.changed,
    write.eventId,
    write.source,
    event.orderNumber,
    event.trackingStatus,
    event.statusKnown,
    event.lastUpdatedDate,
    new Date(event.lastUpdatedDate),
    event.shipmentDate,
    event.carrierName,
    event.carrierService,
    event.orderReference,
    JSON.stringify(write.payload),
    write.result,
    write.receivedAt,
    JSON.stringify(outboxJsonOf(write.outbox)),
    write.outbox.length === 0 ? null : JSON.stringify(shipment),
  ];
}

export interface ShipmentReadRow {
  readonly tracking_number: string;
  readonly order_number: string;
  readonly order_reference: string | null;
  readonly carrier_name: string | null;
  readonly carrier_service: string | null;
  readonly shipment_date: string | null;
  readonly tracking_status: string;
  readonly last_updated_date: string;
  readonly last_event_id: string;
  readonly revision: number;
  readonly latest_event_at: Date | null;
}

export function shipmentStateOf(row: ShipmentReadRow): ShipmentState {
  return {
    trackingNumber: row.tracking_number,
    orderNumber: row.order_number,
    orderReference: row.order_reference,
    carrierName: row.carrier_name,
    carrierService: row.carrier_service,
    shipmentDate: row.shipment_date,
    trackingStatus: row.tracking_status,
    lastUpdatedDate: row.last_updated_date,
    lastEventId: row.last_event_id,
  };
}

export interface HistoryRow {
  readonly event_id: string;
  readonly order_number: string;
  readonly tracking_number: string;
  readonly tracking_status: string;
  readonly status_known: boolean;
  readonly last_updated_date: string;
  readonly shipment_date: string | null;
  readonly carrier_name: string | null;
  readonly carrier_service: string | null;
  readonly order_reference: string | null;
}

export function storedEventOf(row: HistoryRow): StoredEvent {
  return {
    eventId: row.event_id,
    event: {
      orderNumber: row.order_number,
      trackingNumber: row.tracking_number,
      trackingStatus: row.tracking_status,
      statusKnown: row.status_known,
      lastUpdatedDate: row.last_updated_date,
      shipmentDate: row.shipment_date,
      carrierName: row.carrier_name,
      carrierService: row.carrier_service,
      orderReference: row.order_reference,
    },
  };
}
