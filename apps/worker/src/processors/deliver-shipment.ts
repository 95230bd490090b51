import type { SourceAdapter } from '@tracksync/adapters';
import {
  findAdjacentPendingDelivery,
  findDelivery,
  findShipment,
  recordDeliveryAttempt,
  reopenFailedDelivery,
  type Database,
  type DeliveryRow,
} from '@tracksync/db';
import type { Queues } from '@tracksync/queue';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { RetryableDeliveryError } from '../deliveries/backoff';
import { enqueueDelivery, type ScheduleDeps } from '../deliveries/schedule';
import type { WorkerMetrics } from '../metrics';
import { readJobData } from './job-data';

export interface DeliverShipmentDeps extends ScheduleDeps {
  readonly db: Database;
  readonly queues: Queues;
  readonly adapter: SourceAdapter;
  readonly log: Logger;
  readonly metrics: WorkerMetrics;
}

/**
 * While an earlier change of the same shipment is still pending, a later one waits: the
 * source system must never hear an older state after a newer one. The earlier delivery
 * promotes its successor when it finishes, so this wait only bounds a missed promotion.
 */
export const WAIT_FOR_EARLIER_DELIVERY_MS = 10_000;

/**
 * Pushes one change of a shipment's state to the source system and records the attempt.
 * Retryable answers throw for BullMQ's backoff; permanent ones fail at once. A retry after a
 * crash sends the same delivery id, so the source system can tell it is a repeat.
 */
export async function deliverShipment(
  job: Job,
  token: string | undefined,
  deps: DeliverShipmentDeps,
): Promise<string> {
  const { deliveryId } = readJobData('deliver-shipment', job.data);
  const delivery = await findDelivery(deps.db, deliveryId);
  if (!delivery) throw new UnrecoverableError(`no delivery ${deliveryId}`);
  // A failed delivery runs again only when an operator retried its job in Bull Board.
  if (delivery.status === 'failed' && !(await reopenFailedDelivery(deps.db, delivery))) {
    deps.log.warn({ deliveryId }, 'retry refused: a newer change was delivered; replay instead');
    return delivery.status;
  }
  // Already settled: a re-run after a crash that came after the outcome was recorded.
  if (delivery.status === 'delivered' || delivery.status === 'unmatched') return delivery.status;

  const earlier = await findAdjacentPendingDelivery(deps.db, delivery, 'earlier');
  if (earlier) {
    // The earlier change's job is re-added (a no-op while it exists): should its row have
    // been committed without a job (a crash in between), this wait would otherwise never end.
    await enqueueDelivery(deps, earlier.deliveryId);
    // Without the lock's token BullMQ moves the job unchecked and leaves its lock behind.
    await job.moveToDelayed(Date.now() + WAIT_FOR_EARLIER_DELIVERY_MS, token ?? job.token);
    throw new DelayedError();
  }

  const shipment = await findShipment(deps.db, delivery.trackingNumber);
  const startedAt = new Date();
  const outcome = await deps.adapter.apply({
    ...delivery.state,
    deliveryId,
    sourceOrderId: shipment?.sourceOrderId ?? null,
  });
  const attempt = job.attemptsMade + 1;
  const lastAttempt = attempt >= (job.opts.attempts ?? 1);
  const status = await recordDeliveryAttempt(deps.db, {
    delivery,
    adapter: deps.adapter.name,
    attempt,
    outcome,
    lastAttempt,
    startedAt,
  });

  deps.metrics.deliveryAttempts.inc({ outcome: outcome.kind });
  if (status !== 'pending') deps.metrics.deliveries.inc({ status });
  if (status === 'delivered') {
    deps.metrics.receivedToDelivered.observe((Date.now() - delivery.receivedAt.getTime()) / 1000);
  }
  logAttempt(deps.log, delivery, { attempt, status, outcome, adapter: deps.adapter.name });
  if (status !== 'pending') {
    // Only a shortcut: a successor not promoted still starts when its own wait ends.
    await promoteSuccessor(deps, delivery).catch((err: unknown) => {
      deps.log.warn({ err, deliveryId }, 'could not promote the next delivery');
    });
  }

  if (outcome.kind === 'retry')
    throw new RetryableDeliveryError(outcome.reason, outcome.retryAfterMs);
  if (outcome.kind === 'permanent') throw new UnrecoverableError(outcome.reason);
  return status;
}

/** Starts the next waiting change of this shipment now rather than at the end of its wait. */
async function promoteSuccessor(deps: DeliverShipmentDeps, delivery: DeliveryRow): Promise<void> {
  const next = await findAdjacentPendingDelivery(deps.db, delivery, 'later');
  if (!next) return;
  const job = await deps.queues.delivery.getJob(next.deliveryId);
  if (job && (await job.isDelayed())) await job.promote();
}

function logAttempt(
  log: Logger,
  delivery: DeliveryRow,
  fields: { attempt: number; status: string; outcome: { kind: string }; adapter: string },
): void {
  const { state } = delivery;
  const line = {
    deliveryId: delivery.deliveryId,
    reason: delivery.reason,
    eventTimestamp: state.lastUpdatedDate,
    orderNumber: state.orderNumber,
    starshipitOrderId: null,
    trackingNumber: state.trackingNumber,
    carrierName: state.carrierName,
    carrierService: state.carrierService,
    trackingStatus: state.trackingStatus,
    ...fields,
  };
  if (fields.status === 'failed') log.error(line, 'delivery failed');
  else if (fields.status === 'pending') log.warn(line, 'delivery will be retried');
  else log.info(line, `delivery ${fields.status}`);
}
