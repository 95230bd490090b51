import {
  findDelivery,
  recordDeliveryAttempt,
  recordTrackingEvent,
  type Database,
  type OutboxPlanner,
  type RecordResult,
} from '@tracksync/db';
import type { DeliveryOutcome } from '@tracksync/domain';
import { randomUUID } from 'node:crypto';
import { trackingEventJob } from './harness';

/** A tracking number no other test of the file uses. */
export function newTrackingNumber(prefix = 'OPS'): string {
  return `${prefix}-${randomUUID().slice(0, 8).toUpperCase()}`;
}

export interface WebhookFields {
  readonly orderNumber: string;
  readonly trackingNumber: string;
  readonly status: string;
  readonly at: string;
}

/** Stores a webhook the way the ingest processor does (to `outbox`'s destinations). */
export async function recordWebhook(
  db: Database,
  fields: WebhookFields,
  outbox?: OutboxPlanner,
): Promise<RecordResult> {
  const job = trackingEventJob({
    order_number: fields.orderNumber,
    tracking_number: fields.trackingNumber,
    tracking_status: fields.status,
    last_updated_date: fields.at,
    carrier_name: 'Australia Post',
    carrier_service: '7B05',
  });
  return recordTrackingEvent(db, { ...job, receivedAt: new Date(job.receivedAt) }, outbox);
}

/** The delivery a recorded change created; fails the test when the event changed nothing. */
export function deliveryOf(recorded: RecordResult): string {
  if (recorded.result === 'duplicate' || !recorded.deliveryId) {
    throw new Error(`expected a change of state, got ${recorded.result}`);
  }
  return recorded.deliveryId;
}

/** Records one call to the source system, as the delivery processor does after it. */
export async function recordAttempt(
  db: Database,
  deliveryId: string,
  attempt: number,
  outcome: DeliveryOutcome,
): Promise<void> {
  const delivery = await findDelivery(db, deliveryId);
  if (!delivery) throw new Error(`no delivery ${deliveryId}`);
  await recordDeliveryAttempt(db, {
    delivery,
    adapter: 'http',
    attempt,
    outcome,
    lastAttempt: false,
    startedAt: new Date(),
  });
}
