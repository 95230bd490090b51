import type { DeliveryOutcome } from '@tracksync/domain';

export type { DeliveryOutcome, DeliveryOutcomeKind } from '@tracksync/domain';

/**
 * The one thing tracksync asks of a merchant's own system (ERP, store back office): apply a
 * shipment's current state to the source order, and say how that went.
 */

/** One change of a shipment's state, as delivered. Field names are snake_case on the wire. */
export interface ShipmentUpdate {
  /**
   * Identifies this change, not this attempt: it stays the same across retries so the
   * receiver can drop a repeat (it becomes the Standard Webhooks `webhook-id`).
   */
  readonly deliveryId: string;
  readonly orderNumber: string;
  readonly sourceOrderId: string | null;
  readonly trackingNumber: string;
  readonly carrierName: string | null;
  readonly carrierService: string | null;
  readonly trackingStatus: string;
  readonly shipmentDate: string | null;
  readonly lastUpdatedDate: string;
  readonly orderReference: string | null;
}

export interface SourceAdapter {
  readonly name: string;
  apply(update: ShipmentUpdate): Promise<DeliveryOutcome>;
  /**
   * The request `apply` would send, without sending it (the dry-run command shows it), for
   * adapters that send one request; auth and signing headers are left out. A transformation's
   * error is thrown as is.
   */
  preview?(update: ShipmentUpdate): Promise<PreviewRequest>;
}

/** A request as the dry run shows it: what a transformation (or the §6 default) produced. */
export interface PreviewRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}
