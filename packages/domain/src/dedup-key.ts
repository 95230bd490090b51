import { hash } from 'node:crypto';
import type { TrackingEvent } from './tracking-event';

/**
 * The event's identity: sha256 hex of order number, tracking number, status and the
 * last-updated instant in canonical UTC form, so `…09:35:00Z` and `…09:35:00.0000000Z` are one
 * event. Hex has no `:` and is never all digits in practice, so it is a valid BullMQ job id.
 * A JSON array separates the parts unambiguously.
 */
export function dedupKey(
  event: Pick<
    TrackingEvent,
    'orderNumber' | 'trackingNumber' | 'trackingStatus' | 'lastUpdatedDate'
  >,
): string {
  const identity = JSON.stringify([
    event.orderNumber,
    event.trackingNumber,
    event.trackingStatus,
    event.lastUpdatedDate,
  ]);
  // One-shot hash: no Hash object per event on the ingress's hot path.
  return hash('sha256', identity, 'hex');
}
