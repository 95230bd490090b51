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

/**
 * What the source system made of an update. Adapters return these for every answer the source
 * system can give (including silence); they throw only for programming errors.
 * - `already_applied` (409) counts as success: the receiver saw this change before.
 * - `not_found` (404) means the order does not exist there: the shipment becomes unmatched.
 * - `retry` asks the caller's backoff to try again, no sooner than `retryAfterMs` when set.
 * - `permanent` will not get better by retrying; it goes to failed, to be replayed after a fix.
 */
export type DeliveryOutcome =
  | { readonly kind: 'applied'; readonly httpStatus?: number }
  | { readonly kind: 'already_applied'; readonly httpStatus?: number }
  | { readonly kind: 'not_found'; readonly httpStatus?: number }
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly httpStatus?: number;
      readonly retryAfterMs?: number;
    }
  | { readonly kind: 'permanent'; readonly reason: string; readonly httpStatus?: number };

export type DeliveryOutcomeKind = DeliveryOutcome['kind'];

export interface SourceAdapter {
  readonly name: string;
  apply(update: ShipmentUpdate): Promise<DeliveryOutcome>;
}
