import type { PrintedShipment, ShippedOrder, TrackResult } from './schemas';

/**
 * A polled row in the webhook's shape, so it goes through the same parseTrackingPayload,
 * dedup key and projection as a webhook. Values are passed on as the API sent them
 * (spaced statuses, zone-less timestamps): the domain normalises them with the account's
 * zone. `starshipit_order_id` is extra; the webhook schema keeps unknown fields.
 */
export interface PolledTrackingPayload {
  readonly order_number: string | null;
  readonly tracking_number: string;
  readonly tracking_status: string;
  readonly last_updated_date: string;
  readonly carrier_name: string | null;
  readonly carrier_service: string | null;
  readonly shipment_date: string | null;
  readonly order_reference: string | null;
  readonly starshipit_order_id: number | null;
}

/**
 * A `/api/orders/shipped` row. The row has no time of its last tracking update, only
 * `order_date` and `shipped_date` (the label's time: the fixtures show it equal to the
 * webhook's `shipment_date`). So the status is dated `shipped_date`, else `order_date`:
 * a lower bound of the real update time, never later than it. With the projection's
 * "apply only if newer" rule such an event can never override or roll back a real carrier
 * update; it fills in shipments whose webhooks were all lost, and its dedup key stays the
 * same on every poll until the status changes (dating it by poll time would make a new
 * event each run and could outrank a late but genuine webhook). When stored state differs
 * from the row's status, ask `/api/track` for the true `last_updated_date`.
 * Null (skipped) without a tracking number, status or any date.
 */
export function shippedOrderToPayload(row: ShippedOrder): PolledTrackingPayload | null {
  const statusDate = row.shipped_date ?? row.order_date;
  if (!row.tracking_number || !row.tracking_short_status || !statusDate) return null;
  return {
    order_number: row.order_number,
    tracking_number: row.tracking_number,
    tracking_status: row.tracking_short_status,
    last_updated_date: statusDate,
    carrier_name: row.carrier_name,
    // The webhook's carrier_service holds the service code (`7B05`), not its name.
    carrier_service: row.carrier_service_code,
    shipment_date: row.shipped_date,
    order_reference: row.reference,
    starshipit_order_id: row.order_id,
  };
}

/**
 * A `/api/track` result. It carries the carrier's own `last_updated_date`, so it is the
 * authoritative poll. It names neither the order's reference nor its Starshipit id; pass
 * them when known (from a shipped row or stored state). Null without a tracking number,
 * status or `last_updated_date` (a status without its time could not be ordered).
 */
export function trackResultToPayload(
  result: TrackResult,
  known: { orderReference?: string | null; starshipitOrderId?: number | null } = {},
): PolledTrackingPayload | null {
  if (!result.tracking_number || !result.tracking_status || !result.last_updated_date) {
    return null;
  }
  return {
    order_number: result.order_number,
    tracking_number: result.tracking_number,
    tracking_status: result.tracking_status,
    last_updated_date: result.last_updated_date,
    carrier_name: result.carrier_name,
    carrier_service: result.carrier_service ?? result.carrier_service_code,
    shipment_date: result.shipment_date,
    order_reference: known.orderReference ?? null,
    starshipit_order_id: known.starshipitOrderId ?? null,
  };
}

/**
 * A `/api/orders/shipments?status=recently_printed` row: being listed there means each of
 * its parcels had its label printed at `date`, i.e. a `Printed` event at that time. Its
 * time is real, so a shipment already further along is never rolled back by it.
 */
export function printedShipmentToPayloads(row: PrintedShipment): PolledTrackingPayload[] {
  if (!row.date) return [];
  const printedAt = row.date;
  return row.tracking_numbers
    .map((number) => number.trim())
    .filter((number) => number.length > 0)
    .map((trackingNumber) => ({
      order_number: row.order_number,
      tracking_number: trackingNumber,
      tracking_status: 'Printed',
      last_updated_date: printedAt,
      carrier_name: row.carrier_name,
      carrier_service: row.carrier_service_code,
      shipment_date: printedAt,
      order_reference: null,
      starshipit_order_id: row.order_id,
    }));
}

export function shippedOrdersToPayloads(rows: readonly ShippedOrder[]): PolledTrackingPayload[] {
  return rows.flatMap((row) => shippedOrderToPayload(row) ?? []);
}
