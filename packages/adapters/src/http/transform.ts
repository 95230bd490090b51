import type { ShipmentUpdate } from '../source-adapter';

export const SHIPMENT_EVENT_TYPE = 'shipment.tracking_updated';

/** The §6 body. Its shape is a contract with merchants' systems: change it only additively. */
export interface WireBody {
  readonly type: typeof SHIPMENT_EVENT_TYPE;
  readonly timestamp: string;
  readonly data: {
    readonly order_number: string;
    readonly source_order_id: string | null;
    readonly tracking_number: string;
    readonly carrier_name: string | null;
    readonly carrier_service: string | null;
    readonly tracking_status: string;
    readonly shipment_date: string | null;
    readonly last_updated_date: string;
    readonly order_reference: string | null;
  };
}

/**
 * Builds the body sent for `update` at `now`. Values pass through unchanged: the projection
 * already normalised them, and the receiver should see exactly what tracksync stored. The
 * delivery id is not in the body; it travels as `webhook-id`, where signature checks cover it.
 */
export function toWireBody(update: ShipmentUpdate, now: Date): WireBody {
  return {
    type: SHIPMENT_EVENT_TYPE,
    timestamp: now.toISOString(),
    data: {
      order_number: update.orderNumber,
      source_order_id: update.sourceOrderId,
      tracking_number: update.trackingNumber,
      carrier_name: update.carrierName,
      carrier_service: update.carrierService,
      tracking_status: update.trackingStatus,
      shipment_date: update.shipmentDate,
      last_updated_date: update.lastUpdatedDate,
      order_reference: update.orderReference,
    },
  };
}
