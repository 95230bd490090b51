import {
  createCurrentStateDelivery,
  createReplayDelivery,
  findDelivery,
  listFailedDeliveriesInOrder,
  listUnmatchedDestinations,
  listUnmatchedToRetry,
  reopenFailedDelivery,
  type DeliveryRow,
  type FailedDeliveryScope,
} from '@tracksync/db';
import { enqueueDelivery, type ScheduleDeps } from './schedule';

/**
 * Delivers a stored event's state again, on purpose, to `destination` or to every configured
 * destination (filters are not applied: a replay is asked for). Null when the event is unknown.
 */
export async function replayEvent(
  deps: ScheduleDeps,
  eventId: string,
  destination?: string,
): Promise<string[] | null> {
  const ids = await createReplayDelivery(
    deps.db,
    eventId,
    destination ? [destination] : deps.destinations.names,
  );
  for (const deliveryId of ids ?? []) await enqueueDelivery(deps, deliveryId);
  return ids;
}

/**
 * Links a shipment to its order in the source system and delivers its current state with
 * that `source_order_id`, to the destinations that answered 404 for it (all of them when none
 * did). Null when the shipment is unknown.
 */
export async function matchShipment(
  deps: ScheduleDeps,
  trackingNumber: string,
  sourceOrderId: string,
): Promise<string[] | null> {
  const answered404 = await listUnmatchedDestinations(deps.db, [trackingNumber]);
  return deliverCurrentState(deps, trackingNumber, answered404.get(trackingNumber), {
    reason: 'match',
    sourceOrderId,
  });
}

/**
 * Asks the source systems again about shipments they did not know, in case the order has
 * arrived there since (called by each reconciliation run); only the destinations whose last
 * answer was a 404 are asked. Returns how many shipments were retried.
 */
export async function retryUnmatchedShipments(deps: ScheduleDeps, limit = 500): Promise<number> {
  const trackingNumbers = await listUnmatchedToRetry(deps.db, limit);
  const answered404 = await listUnmatchedDestinations(deps.db, trackingNumbers);
  for (const trackingNumber of trackingNumbers) {
    await deliverCurrentState(deps, trackingNumber, answered404.get(trackingNumber), {
      reason: 'unmatched_retry',
    });
  }
  return trackingNumbers.length;
}

/**
 * Delivers the shipment's current state to the configured destinations among `answered404`
 * (those whose latest answer about it was a 404), or to all of them when none is; null when
 * the shipment is unknown.
 */
async function deliverCurrentState(
  deps: ScheduleDeps,
  trackingNumber: string,
  answered404: readonly string[] = [],
  { reason, sourceOrderId }: { reason: 'match' | 'unmatched_retry'; sourceOrderId?: string },
): Promise<string[] | null> {
  const configured = new Set(deps.destinations.names);
  const unmatched = answered404.filter((name) => configured.has(name));
  const ids = await createCurrentStateDelivery(
    deps.db,
    trackingNumber,
    reason,
    unmatched.length > 0 ? unmatched : deps.destinations.names,
    sourceOrderId,
  );
  for (const deliveryId of ids ?? []) await enqueueDelivery(deps, deliveryId);
  return ids;
}

/**
 * What retrying a failed delivery did: `queued` (pending again, its job re-run), `refused`
 * (a later change of the shipment was delivered since, so this older state must not be sent;
 * replay is the deliberate way), `not_failed` or `not_found`.
 */
export type RetryOutcome = 'queued' | 'refused' | 'not_failed' | 'not_found';

/** Sends a failed delivery again under its own delivery id, as Bull Board's Retry does. */
export async function retryFailedDelivery(
  deps: ScheduleDeps,
  deliveryId: string,
): Promise<RetryOutcome> {
  const delivery = await findDelivery(deps.db, deliveryId);
  if (!delivery) return 'not_found';
  if (delivery.status !== 'failed') return 'not_failed';
  if (!(await reopenFailedDelivery(deps.db, delivery))) return 'refused';
  await rerunDeliveryJob(deps, deliveryId);
  return 'queued';
}

/**
 * Retries every failed delivery (up to `limit`; of one destination, failed since a time, when
 * `scope` says so), keeping each shipment's order: all rows are reopened first, oldest `seq`
 * first, and only then are their jobs run. A later change whose job starts first finds its
 * earlier change pending and waits for it, exactly as on the first try, so the source system
 * never hears an older state after a newer one.
 */
export async function retryFailedDeliveries(
  deps: ScheduleDeps,
  limit = 500,
  scope: FailedDeliveryScope = {},
): Promise<{ queued: number; refused: number }> {
  const failed = await listFailedDeliveriesInOrder(deps.db, limit, scope);
  const reopened: DeliveryRow[] = [];
  for (const delivery of failed) {
    if (await reopenFailedDelivery(deps.db, delivery)) reopened.push(delivery);
  }
  for (const delivery of reopened) await rerunDeliveryJob(deps, delivery.deliveryId);
  return { queued: reopened.length, refused: failed.length - reopened.length };
}

/**
 * Runs a reopened delivery's job again. The job id is the delivery id, so a job still kept in
 * Redis must be retried (or removed, when it completed) rather than added: adding an id that
 * exists is a no-op. A job already removed by retention is simply added again.
 */
async function rerunDeliveryJob(deps: ScheduleDeps, deliveryId: string): Promise<void> {
  const job = await deps.queues.delivery.getJob(deliveryId);
  const state = job ? await job.getState() : 'unknown';
  if (job && state === 'failed') {
    await job.retry('failed');
    return;
  }
  if (job && state === 'completed') await job.remove();
  await enqueueDelivery(deps, deliveryId);
}
