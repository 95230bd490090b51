import {
  createCurrentStateDelivery,
  createReplayDelivery,
  listUnmatchedToRetry,
} from '@tracksync/db';
import { enqueueDelivery, type ScheduleDeps } from './schedule';

/** Delivers a stored event's state again, on purpose. Null when the event is unknown. */
export async function replayEvent(deps: ScheduleDeps, eventId: string): Promise<string | null> {
  const deliveryId = await createReplayDelivery(deps.db, eventId);
  if (deliveryId) await enqueueDelivery(deps, deliveryId);
  return deliveryId;
}

/**
 * Links a shipment to its order in the source system and delivers its current state with
 * that `source_order_id`. Null when the shipment is unknown.
 */
export async function matchShipment(
  deps: ScheduleDeps,
  trackingNumber: string,
  sourceOrderId: string,
): Promise<string | null> {
  const deliveryId = await createCurrentStateDelivery(
    deps.db,
    trackingNumber,
    'match',
    sourceOrderId,
  );
  if (deliveryId) await enqueueDelivery(deps, deliveryId);
  return deliveryId;
}

/**
 * Asks the source system again about shipments it did not know, in case the order has
 * arrived there since (called by each reconciliation run). Returns how many were retried.
 */
export async function retryUnmatchedShipments(deps: ScheduleDeps, limit = 500): Promise<number> {
  const trackingNumbers = await listUnmatchedToRetry(deps.db, limit);
  for (const trackingNumber of trackingNumbers) {
    const deliveryId = await createCurrentStateDelivery(deps.db, trackingNumber, 'unmatched_retry');
    if (deliveryId) await enqueueDelivery(deps, deliveryId);
  }
  return trackingNumbers.length;
}
