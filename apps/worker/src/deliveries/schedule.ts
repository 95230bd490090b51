import {
  failPendingDelivery,
  listPendingDeliveryIds,
  listPendingDeliveryIdsBefore,
  type Database,
} from '@tracksync/db';
import { JITTERED_BACKOFF_TYPE, enqueue, type Queues } from '@tracksync/queue';
import type { WorkerConfig } from '../config';
import type { DestinationSet } from '../destinations/set';

export interface ScheduleDeps {
  readonly db: Database;
  readonly queues: Queues;
  readonly config: Pick<WorkerConfig, 'DELIVERY_ATTEMPTS' | 'DELIVERY_BACKOFF_MS'>;
  /** Replays and matches go to these destinations (all, unless one is named). */
  readonly destinations: Pick<DestinationSet, 'names'>;
}

/** Adds the delivery's job; its id is the delivery id, so adding it twice is harmless. */
export async function enqueueDelivery(deps: ScheduleDeps, deliveryId: string): Promise<void> {
  await enqueue(
    deps.queues,
    'deliver-shipment',
    { deliveryId },
    {
      attempts: deps.config.DELIVERY_ATTEMPTS,
      backoff: { type: JITTERED_BACKOFF_TYPE, delay: deps.config.DELIVERY_BACKOFF_MS },
    },
  );
}

/**
 * Makes sure every pending delivery of a shipment has its job. Delivery rows are written in
 * the event's transaction and jobs added after the commit, so a worker that died in between
 * left a row without a job; the retried event job (now a duplicate) repairs that here.
 */
export async function enqueuePendingDeliveries(
  deps: ScheduleDeps,
  trackingNumber: string,
): Promise<number> {
  const pending = await listPendingDeliveryIds(deps.db, trackingNumber);
  for (const deliveryId of pending) await enqueueDelivery(deps, deliveryId);
  return pending.length;
}

/** A pending delivery this old has either a job waiting in backoff or lost its job. */
const ORPHAN_AFTER_MS = 10 * 60 * 1000;

/**
 * Re-adds the jobs of pending deliveries older than ten minutes; for those whose job exists
 * (waiting out a backoff) this is a no-op. It repairs a delivery whose job was never added
 * (the process died between commit and enqueue, and no retry came). Run by reconciliation.
 */
export async function enqueueOrphanedDeliveries(
  deps: ScheduleDeps,
  limit = 1_000,
): Promise<number> {
  const ids = await listPendingDeliveryIdsBefore(
    deps.db,
    new Date(Date.now() - ORPHAN_AFTER_MS),
    limit,
  );
  for (const deliveryId of ids) {
    // A job failed for good while its row stayed pending (say Postgres was down for its
    // last attempt): settle the row, so the shipment's later changes are not held back.
    const job = await deps.queues.delivery.getJob(deliveryId);
    if (job && (await job.isFailed())) {
      await failPendingDelivery(deps.db, deliveryId, job.failedReason || 'job failed');
    } else {
      await enqueueDelivery(deps, deliveryId);
    }
  }
  return ids.length;
}
