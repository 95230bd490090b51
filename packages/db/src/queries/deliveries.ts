import type { DeliveryOutcome, ShipmentState } from '@tracksync/domain';
import { and, asc, eq, gt, lt, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Database } from '../client';
import { deliveries, deliveryAttempts, shipments } from '../schema';

export type DeliveryRow = typeof deliveries.$inferSelect;
export type DeliveryReason = DeliveryRow['reason'];
export type DeliveryStatus = DeliveryRow['status'];

/** A database or an open transaction: delivery rows are written inside both. */
type Executor = Pick<Database, 'insert' | 'select' | 'update'>;

export interface NewDelivery {
  readonly trackingNumber: string;
  readonly destination: string;
  readonly eventId: string | null;
  readonly reason: DeliveryReason;
  readonly state: ShipmentState;
  readonly receivedAt: Date;
}

/** Sent as `webhook-id`; the shape the job catalog checks (`dlv_` and 32 hex digits). */
export function newDeliveryId(): string {
  return `dlv_${randomUUID().replaceAll('-', '')}`;
}

export async function createDelivery(db: Executor, delivery: NewDelivery): Promise<string> {
  const deliveryId = newDeliveryId();
  await db.insert(deliveries).values({ ...delivery, deliveryId });
  return deliveryId;
}

export async function findDelivery(db: Database, deliveryId: string): Promise<DeliveryRow | null> {
  const [row] = await db.select().from(deliveries).where(eq(deliveries.deliveryId, deliveryId));
  return row ?? null;
}

/**
 * The pending delivery of the same shipment to the same destination just before (or after)
 * `seq`, if any: destinations never wait for each other.
 */
export async function findAdjacentPendingDelivery(
  db: Database,
  { trackingNumber, destination, seq }: Pick<DeliveryRow, 'trackingNumber' | 'destination' | 'seq'>,
  direction: 'earlier' | 'later',
): Promise<DeliveryRow | null> {
  const [row] = await db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.trackingNumber, trackingNumber),
        eq(deliveries.destination, destination),
        eq(deliveries.status, 'pending'),
        direction === 'earlier' ? lt(deliveries.seq, seq) : gt(deliveries.seq, seq),
      ),
    )
    .orderBy(direction === 'earlier' ? sql`${deliveries.seq} desc` : asc(deliveries.seq))
    .limit(1);
  return row ?? null;
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
  readonly delivery: Pick<DeliveryRow, 'deliveryId' | 'trackingNumber' | 'destination' | 'state'>;
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

/**
 * Records one call to the source system and its consequences in one transaction: the attempt
 * row, the delivery's status, and the shipment's unmatched mark (set by a 404 from any
 * destination; cleared by a success once no destination's latest answer is a 404). Only a
 * pending delivery takes the outcome; returns the delivery's status after.
 */
export async function recordDeliveryAttempt(
  db: Database,
  record: AttemptRecord,
): Promise<DeliveryStatus> {
  const { delivery, outcome } = record;
  const status = statusAfter(outcome, record.lastAttempt);
  const error = 'reason' in outcome ? outcome.reason : null;
  const now = new Date();
  return db.transaction(async (tx) => {
    await tx.insert(deliveryAttempts).values({
      deliveryId: delivery.deliveryId,
      trackingNumber: delivery.trackingNumber,
      trackingStatus: delivery.state.trackingStatus,
      adapter: record.adapter,
      attempt: record.attempt,
      outcome: outcome.kind,
      httpStatus: outcome.httpStatus ?? null,
      error,
      retryAfterMs: outcome.kind === 'retry' ? (outcome.retryAfterMs ?? null) : null,
      startedAt: record.startedAt,
      finishedAt: now,
    });
    // Counting the call takes the row lock, so the status read back is the settled one.
    const [current] = await tx
      .update(deliveries)
      .set({ attempts: sql`${deliveries.attempts} + 1` })
      .where(eq(deliveries.deliveryId, delivery.deliveryId))
      .returning({ status: deliveries.status });
    // Settled while this call was out: the worker lost its lock and another one took the job
    // over. Its outcome stands; reopening the delivery would hold back the shipment's later
    // changes for ever, and a late 404 must not unmatch a shipment the source just accepted.
    if (current && current.status !== 'pending') return current.status;
    await tx
      .update(deliveries)
      .set({
        status,
        lastError: error,
        lastHttpStatus: outcome.httpStatus ?? null,
        finishedAt: status === 'pending' ? null : now,
      })
      .where(eq(deliveries.deliveryId, delivery.deliveryId));
    if (status === 'unmatched') {
      await tx
        .update(shipments)
        .set({ unmatchedSince: sql`coalesce(${shipments.unmatchedSince}, now())` })
        .where(eq(shipments.trackingNumber, delivery.trackingNumber));
    } else if (status === 'delivered') {
      await tx
        .update(shipments)
        .set({ unmatchedSince: null })
        .where(
          and(
            eq(shipments.trackingNumber, delivery.trackingNumber),
            sql`not exists (${unmatchedElsewhere(delivery.trackingNumber, delivery.destination)})`,
          ),
        );
    }
    return status;
  });
}

/**
 * The other destinations whose latest answered delivery of the shipment was a 404: while one
 * remains, the shipment stays unmatched (the mark is per shipment; see listUnmatchedDestinations).
 */
function unmatchedElsewhere(trackingNumber: string, destination: string) {
  return sql`select 1 from (select distinct on (d.destination) d.status from ${deliveries} d
    where d.tracking_number = ${trackingNumber} and d.destination <> ${destination}
      and d.status in ('delivered', 'unmatched')
    order by d.destination, d.seq desc) latest where latest.status = 'unmatched'`;
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
