import type { IncomingEvent, RecordResult } from '@tracksync/db';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { WorkerMetrics } from '../metrics';
import {
  enqueueDelivery,
  enqueuePendingDeliveries,
  type ScheduleDeps,
} from '../deliveries/schedule';
import { readJobData } from './job-data';

export interface IngestEventDeps extends ScheduleDeps {
  /** recordTrackingEvent, or a group commit of it (see workers.ts). */
  readonly recordEvent: (incoming: IncomingEvent) => Promise<RecordResult>;
  readonly log: Logger;
  readonly metrics: WorkerMetrics;
}

/**
 * Stores a tracking event once and projects its shipment (one transaction, see
 * recordTrackingEvent); the job completes only after that transaction committed. Any database error is thrown as is: BullMQ retries the job with
 * backoff, and a retry is safe because the event id is unique and the projection is refolded
 * from the stored history. Returns the projection so delivery can follow from it.
 */
export async function ingestEvent(job: Job, deps: IngestEventDeps): Promise<RecordResult> {
  const data = readJobData('tracking-event', job.data);
  const { event } = data;
  const recorded = await deps.recordEvent({
    eventId: data.eventId,
    source: data.source,
    receivedAt: new Date(data.receivedAt),
    event,
    payload: data.payload,
  });

  // The delivery row was committed with the event; its job is added only now. A duplicate may
  // be this job's own retry after a crash in between, so it re-adds whatever is pending.
  if (recorded.result === 'duplicate') await enqueuePendingDeliveries(deps, event.trackingNumber);
  else {
    for (const row of recorded.deliveries) {
      if (row.status === 'pending') await enqueueDelivery(deps, row.deliveryId);
    }
  }

  deps.metrics.eventsByResult.inc({ result: recorded.result });
  if (!event.statusKnown) deps.metrics.unknownStatusEvents.inc();
  // The fields Starshipit's guide asks every receiver to log, in one line per event.
  const line = {
    eventTimestamp: event.lastUpdatedDate,
    orderNumber: event.orderNumber,
    // Webhooks do not carry Starshipit's order id; polled updates do, as an extra field.
    starshipitOrderId: data.payload.starshipit_order_id ?? null,
    trackingNumber: event.trackingNumber,
    carrierName: event.carrierName,
    carrierService: event.carrierService,
    trackingStatus: event.trackingStatus,
    statusKnown: event.statusKnown,
    source: data.source,
    eventId: data.eventId,
    result: recorded.result,
    shipmentStatus: recorded.result === 'duplicate' ? undefined : recorded.after.trackingStatus,
    deliveryIds:
      recorded.result === 'duplicate' ? undefined : recorded.deliveries.map((d) => d.deliveryId),
    attempt: job.attemptsMade + 1,
  };
  if (event.statusKnown) deps.log.info(line, 'event recorded');
  else deps.log.warn(line, 'event recorded with an unknown status');
  return recorded;
}
