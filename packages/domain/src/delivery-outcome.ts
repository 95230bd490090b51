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
