import type { DeliveryOutcome, ShipmentState } from '@tracksync/domain';
import { and, asc, eq, lt, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Database } from '../client';
import { deliveries } from '../schema';
import { READ_DELIVERY_TO_SEND, RECORD_DELIVERY_ATTEMPT } from './delivery-sql';

export type DeliveryRow = typeof deliveries.$inferSelect;
export type DeliveryReason = DeliveryRow['reason'];
export type DeliveryStatus = DeliveryRow['status'];

/** Sent as `webhook-id`; the shape the job catalog checks (`dlv_` and 32 hex digits). */
export function newDeliveryId(): string {
  return `dlv_${randomUUID().replaceAll('-', '')}`;
}

export async function findDelivery(db: Database, deliveryId: string): Promise<DeliveryRow | null> {
  const [row] = await db.select().from(deliveries).where(eq(deliveries.deliveryId, deliveryId));
  return row ?? null;
}

export interface DeliveryToSend {
  readonly delivery: DeliveryRow;
  /** The shipment's order id in the source system, when an operator matched it by hand. */
  readonly sourceOrderId: string | null;
  /** The pending delivery of the same shipment to the same destination just before this one. */
  readonly earlierPendingId: string | null;
}

interface DeliveryToSendRow {
  delivery_id: string;
  seq: string;
  tracking_number: string;
  destination: string;
  event_id: string | null;
  reason: DeliveryReason;
  state: ShipmentState;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  last_http_status: number | null;
  received_at: Date;
  created_at: Date;
  finished_at: Date | null;
  source_order_id: string | null;
  earlier_pending_id: string | null;
}

/** Everything a delivery job reads before it calls the destination, in one round trip. */
export async function readDeliveryToSend(
  db: Database,
  deliveryId: string,
): Promise<DeliveryToSend | null> {
  const { rows } = await db.$client.query<DeliveryToSendRow>(READ_DELIVERY_TO_SEND, [deliveryId]);
  const row = rows[0];
  if (!row) return null;
  return {
    delivery: {
      deliveryId: row.delivery_id,
      seq: Number(row.seq),
      trackingNumber: row.tracking_number,
      destination: row.destination,
      eventId: row.event_id,
      reason: row.reason,
      state: row.state,
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      lastHttpStatus: row.last_http_status,
      receivedAt: row.received_at,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
    },
    sourceOrderId: row.source_order_id,
    earlierPendingId: row.earlier_pending_id,
  };
}

export async function listPendingDeliveryIds(
  db: Database,
  trackingNumber: string,
): Promise<string[]> {
  const rows = await db
    .select({ deliveryId: deliveries.deliveryId })
    .from(deliveries)
    .where(and(eq(deliveries.trackingNumber, trackingNumber), eq(deliveries.status, 'pending')))
    .orderBy(asc(deliveries.seq));
  return rows.map((row) => row.deliveryId);
}

export interface AttemptRecord {
  readonly delivery: Pick<DeliveryRow, 'deliveryId' | 'trackingNumber' | 'state'>;
  readonly adapter: string;
  readonly attempt: number;
  readonly outcome: DeliveryOutcome;
  /** True on the last attempt BullMQ will make: a retryable outcome then fails for good. */
  readonly lastAttempt: boolean;
  readonly startedAt: Date;
}

/** What an outcome makes of the delivery; `pending` means BullMQ will try again. */
export function statusAfter(outcome: DeliveryOutcome, lastAttempt: boolean): DeliveryStatus {
  switch (outcome.kind) {
    case 'applied':
    case 'already_applied':
      return 'delivered';
    case 'not_found':
      return 'unmatched';
    case 'permanent':
      return 'failed';
    case 'retry':
      return lastAttempt ? 'failed' : 'pending';
  }
}

export interface RecordedAttempt {
  /** The delivery's status after; `pending` means BullMQ will try again. */
  readonly status: DeliveryStatus;
  /** Once settled: the shipment's next pending delivery to the same destination, if any. */
  readonly nextPendingId: string | null;
}

/**
 * Records one call to the source system and its consequences in one atomic statement
 * (RECORD_DELIVERY_ATTEMPT): the attempt row, the delivery's status, and the shipment's
 * unmatched mark. Only a pending delivery takes the outcome: one settled while this call was
 * out (the worker lost its lock and another took the job over) keeps its outcome, since
 * reopening it would hold back the shipment's later changes for ever, and a late 404 must not
 * unmatch a shipment the source just accepted.
 */
export async function recordDeliveryAttempt(
  db: Database,
  record: AttemptRecord,
): Promise<RecordedAttempt> {
  const { delivery, outcome } = record;
  const { rows } = await db.$client.query<{
    status: DeliveryStatus;
    next_pending_id: string | null;
  }>(RECORD_DELIVERY_ATTEMPT, [
    delivery.deliveryId,
    statusAfter(outcome, record.lastAttempt),
    'reason' in outcome ? outcome.reason : null,
    outcome.httpStatus ?? null,
    record.adapter,
    record.attempt,
    outcome.kind,
    outcome.kind === 'retry' ? (outcome.retryAfterMs ?? null) : null,
    record.startedAt,
    new Date(),
    delivery.trackingNumber,
    delivery.state.trackingStatus,
  ]);
  const row = rows[0];
  if (!row) throw new Error(`no delivery ${delivery.deliveryId} to record an attempt of`);
  return { status: row.status, nextPendingId: row.next_pending_id };
}

/** For a job that failed for good without reaching the source (e.g. the database was down). */
export async function failPendingDelivery(
  db: Database,
  deliveryId: string,
  error: string,
): Promise<void> {
  await db
    .update(deliveries)
    .set({ status: 'failed', lastError: error, finishedAt: new Date() })
    .where(and(eq(deliveries.deliveryId, deliveryId), eq(deliveries.status, 'pending')));
}

/** Pending deliveries created before `before`, oldest first: candidates for a lost job. */
export async function listPendingDeliveryIdsBefore(
  db: Database,
  before: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .select({ deliveryId: deliveries.deliveryId })
    .from(deliveries)
    .where(and(eq(deliveries.status, 'pending'), lt(deliveries.createdAt, before)))
    .orderBy(asc(deliveries.seq))
    .limit(limit);
  return rows.map((row) => row.deliveryId);
}

/**
 * Reopens a failed delivery for another try (an operator retried its job in Bull Board).
 * Refused when a later change of the shipment was delivered to the same destination since: sending this older
 * state now would move the source system backwards; replay is the deliberate way to do it.
 */
export async function reopenFailedDelivery(
  db: Database,
  {
    deliveryId,
    trackingNumber,
    destination,
    seq,
  }: Pick<DeliveryRow, 'deliveryId' | 'trackingNumber' | 'destination' | 'seq'>,
): Promise<boolean> {
  const reopened = await db
    .update(deliveries)
    .set({ status: 'pending', finishedAt: null })
    .where(
      and(
        eq(deliveries.deliveryId, deliveryId),
        eq(deliveries.status, 'failed'),
        sql`not exists (select 1 from ${deliveries} later where later.tracking_number = ${trackingNumber} and later.destination = ${destination} and later.seq > ${seq} and later.status = 'delivered')`,
      ),
    )
    .returning({ deliveryId: deliveries.deliveryId });
  return reopened.length > 0;
}
