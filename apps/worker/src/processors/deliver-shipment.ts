import {
  failPendingDelivery,
  readDeliveryToSend,
  recordDeliveryAttempt,
  reopenFailedDelivery,
  type Database,
  type DeliveryRow,
  type DeliveryToSend,
} from '@tracksync/db';
import type { Queues } from '@tracksync/queue';
import type { DeliveryOutcome } from '@tracksync/domain';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { RetryableDeliveryError } from '../deliveries/backoff';
import type { DestinationControl } from '../destinations/control';
import type { Destination, DestinationSet } from '../destinations/set';
import { enqueueDelivery, type ScheduleDeps } from '../deliveries/schedule';
import type { WorkerMetrics } from '../metrics';
import { readJobData } from './job-data';

export interface DeliverShipmentDeps extends ScheduleDeps {
  readonly db: Database;
  readonly queues: Queues;
  readonly destinations: DestinationSet;
  readonly control: DestinationControl;
  readonly log: Logger;
  readonly metrics: WorkerMetrics;
}

/**
 * While an earlier change of the same shipment is still pending, a later one waits: the
 * source system must never hear an older state after a newer one. The earlier delivery
 * promotes its successor when it finishes, so this wait only bounds a missed promotion.
 */
export const WAIT_FOR_EARLIER_DELIVERY_MS = 10_000;

/** A job whose destination holds its share of this process's slots looks again this soon. */
const SLOT_RECHECK_MS = 100;

/** A paused destination's jobs look again this often; resuming is seen within that. */
export const PAUSED_RECHECK_MS = 5_000;

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
  const toSend = await readDeliveryToSend(deps.db, deliveryId);
  if (!toSend) throw new UnrecoverableError(`no delivery ${deliveryId}`);
  const { delivery } = toSend;
  // A failed delivery runs again only when an operator retried its job in Bull Board.
  if (delivery.status === 'failed' && !(await reopenFailedDelivery(deps.db, delivery))) {
    deps.log.warn({ deliveryId }, 'retry refused: a newer change was delivered; replay instead');
    return delivery.status;
  }
  // Already settled: a re-run after a crash that came after the outcome was recorded.
  // Skipped: the destination's filter left the change out; such a row never had a job to run.
  if (delivery.status !== 'pending' && delivery.status !== 'failed') return delivery.status;

  const destination = deps.destinations.get(delivery.destination);
  if (!destination) {
    const error = `destination ${delivery.destination} is not configured`;
    await failPendingDelivery(deps.db, deliveryId, error);
    throw new UnrecoverableError(error);
  }
  const waitMs = await mustWait(deps, toSend, destination);
  if (waitMs > 0) {
    // Waiting spends no attempt, and gives the worker's slot to another destination's job.
    // Without the lock's token BullMQ moves the job unchecked and leaves its lock behind.
    await job.moveToDelayed(Date.now() + waitMs, token ?? job.token);
    throw new DelayedError();
  }
  const startedAt = new Date();
  const outcome = await callDestination(job, token, deps, { toSend, destination });
  const attempt = job.attemptsMade + 1;
  const lastAttempt = attempt >= (job.opts.attempts ?? 1);
  const { status, nextPendingId } = await recordDeliveryAttempt(deps.db, {
    delivery,
    adapter: destination.adapter.name,
    attempt,
    outcome,
    lastAttempt,
    startedAt,
  });

  const labels = { destination: destination.name };
  deps.metrics.deliveryAttempts.inc({ ...labels, outcome: outcome.kind });
  if (status !== 'pending') deps.metrics.deliveries.inc({ ...labels, status });
  if (status === 'delivered') {
    const seconds = (Date.now() - delivery.receivedAt.getTime()) / 1000;
    deps.metrics.receivedToDelivered.observe(labels, seconds);
  }
  logAttempt(deps.log, delivery, { attempt, status, outcome, adapter: destination.adapter.name });
  if (nextPendingId) {
    // Only a shortcut: a successor not promoted still starts when its own wait ends.
    await promoteDelayed(deps, nextPendingId).catch((err: unknown) => {
      deps.log.warn({ err, deliveryId }, 'could not promote the next delivery');
    });
  }

  if (outcome.kind === 'retry')
    throw new RetryableDeliveryError(outcome.reason, outcome.retryAfterMs);
  if (outcome.kind === 'permanent') throw new UnrecoverableError(outcome.reason);
  return status;
}

/**
 * Calls the destination within its share of this process's slots and its rate cap; either
 * one full moves the job to delayed (no attempt spent, the slot freed for other destinations).
 */
async function callDestination(
  job: Job,
  token: string | undefined,
  deps: DeliverShipmentDeps,
  { toSend, destination }: { toSend: DeliveryToSend; destination: Destination },
): Promise<DeliveryOutcome> {
  if (!deps.control.enter(destination.name)) {
    await job.moveToDelayed(Date.now() + SLOT_RECHECK_MS, token ?? job.token);
    throw new DelayedError();
  }
  try {
    const grant = await deps.control.takeRate(destination);
    if (!grant.granted) {
      await job.moveToDelayed(Date.now() + grant.waitMs, token ?? job.token);
      throw new DelayedError();
    }
    return await applySafely(destination, {
      ...toSend.delivery.state,
      deliveryId: toSend.delivery.deliveryId,
      sourceOrderId: toSend.sourceOrderId,
    }).finally(() => grant.release());
  } finally {
    deps.control.leave(destination.name);
  }
}

/**
 * An adapter that throws (a plugin's bug, an error it did not map) is retried like any
 * retryable answer, with the error stored on the attempt, rather than failing the job unseen.
 */
async function applySafely(
  destination: Destination,
  update: Parameters<Destination['adapter']['apply']>[0],
): Promise<DeliveryOutcome> {
  try {
    return await destination.adapter.apply(update);
  } catch (err) {
    return { kind: 'retry', reason: `adapter threw: ${(err as Error).message}` };
  }
}

/**
 * How long the job must wait before calling the destination, 0 when it may go now: while an
 * earlier change of the same shipment to the same destination is pending (the source must
 * never hear an older state after a newer one), or while the destination is paused.
 */
async function mustWait(
  deps: DeliverShipmentDeps,
  { earlierPendingId }: DeliveryToSend,
  destination: Destination,
): Promise<number> {
  if (earlierPendingId) {
    // The earlier change's job is re-added (a no-op while it exists): should its row have
    // been committed without a job (a crash in between), this wait would otherwise never end.
    await enqueueDelivery(deps, earlierPendingId);
    return WAIT_FOR_EARLIER_DELIVERY_MS;
  }
  return (await deps.control.isPaused(destination.name)) ? PAUSED_RECHECK_MS : 0;
}

/** Starts the next waiting change of this shipment now rather than at the end of its wait. */
async function promoteDelayed(deps: DeliverShipmentDeps, deliveryId: string): Promise<void> {
  const job = await deps.queues.delivery.getJob(deliveryId);
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
    destination: delivery.destination,
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
