import type { Database } from '../client';
import { batchRowOf, READ_SHIPMENTS, WRITE_EVENTS } from './record-batch-sql';
import type { ShipmentReadRow } from './record-event-sql';
import {
  planInOrderEvent,
  recordTrackingEvent,
  unrecordedEvent,
  SINGLE_DESTINATION,
  type IncomingEvent,
  type OutboxPlanner,
  type PlannedRecord,
  type RecordResult,
} from './record-tracking-event';

/**
 * Records several events with two statements in all instead of two each: one read of every
 * shipment, one atomic write of every event that is later than all its shipment holds (the
 * common case). Each event gets the outcome recordTrackingEvent would give it, in the same
 * order as `batch`; an event the batch cannot settle (a second event of a shipment already in
 * it, an event older than its shipment's latest, a lost compare-and-set, a statement that
 * failed) goes through recordTrackingEvent on its own afterwards, so the batch never decides
 * anything the single path would decide otherwise.
 */
export async function recordTrackingEventBatch(
  db: Database,
  batch: readonly IncomingEvent[],
  outbox: OutboxPlanner = SINGLE_DESTINATION,
): Promise<PromiseSettledResult<RecordResult>[]> {
  const outcomes = new Array<PromiseSettledResult<RecordResult> | undefined>(batch.length);
  const leads = new Map<string, number>();
  batch.forEach((incoming, index) => {
    if (!leads.has(incoming.event.trackingNumber)) leads.set(incoming.event.trackingNumber, index);
  });
  try {
    await writeLeads(db, { batch, outbox }, [...leads.values()], outcomes);
  } catch (err) {
    // A deadlock with another replica's batch wrote nothing of this one: every event goes to
    // the single path, which retries collisions. Any other failure is every event's failure.
    if (!isDeadlock(err)) return batch.map(() => rejected(err));
  }
  // The rest, one at a time per shipment so a shipment's own events never race each other.
  const rest = batch.flatMap((incoming, index) => (outcomes[index] ? [] : [index]));
  const byShipment = Map.groupBy(rest, (index) => batch[index]?.event.trackingNumber);
  await Promise.all(
    [...byShipment.values()].map(async (indexes) => {
      for (const index of indexes) {
        const incoming = batch[index];
        if (!incoming) continue;
        outcomes[index] = await settle(recordTrackingEvent(db, incoming, outbox));
      }
    }),
  );
  return outcomes.map((outcome) => outcome ?? rejected(new Error('event left unrecorded')));
}

/** Plans and writes the first event of each shipment; fills the outcomes it settles. */
async function writeLeads(
  db: Database,
  { batch, outbox }: { batch: readonly IncomingEvent[]; outbox: OutboxPlanner },
  leads: readonly number[],
  outcomes: (PromiseSettledResult<RecordResult> | undefined)[],
): Promise<void> {
  const pool = db.$client;
  const trackingNumbers = leads.map((index) => batch[index]?.event.trackingNumber);
  const { rows } = await pool.query<ShipmentReadRow>(READ_SHIPMENTS, [trackingNumbers]);
  const stored = new Map(rows.map((row) => [row.tracking_number, row]));
  const planned = new Map<string, { index: number; eventId: string; plan: PlannedRecord }>();
  for (const index of leads) {
    const incoming = batch[index];
    if (!incoming) continue;
    const { trackingNumber } = incoming.event;
    const plan = planInOrderEvent(stored.get(trackingNumber) ?? null, incoming, outbox);
    if (plan) planned.set(trackingNumber, { index, eventId: incoming.eventId, plan });
  }
  if (planned.size === 0) return;
  const writes = [...planned.values()].map(({ plan }) => batchRowOf(plan.write));
  const written = await pool.query<{ tracking_number: string; recorded: boolean }>(WRITE_EVENTS, [
    JSON.stringify(writes),
  ]);
  for (const { tracking_number: trackingNumber, recorded } of written.rows) {
    const entry = planned.get(trackingNumber);
    if (!entry) continue;
    // As in the single path: the revision check makes a moved but unrecorded event impossible.
    outcomes[entry.index] = recorded
      ? { status: 'fulfilled', value: entry.plan.recorded }
      : rejected(unrecordedEvent(entry.eventId));
  }
}

async function settle(
  recording: Promise<RecordResult>,
): Promise<PromiseSettledResult<RecordResult>> {
  try {
    return { status: 'fulfilled', value: await recording };
  } catch (err) {
    return rejected(err);
  }
}

/** Postgres' deadlock_detected: it rolled this statement back so the other could go on. */
function isDeadlock(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '40P01';
}

function rejected(reason: unknown): PromiseRejectedResult {
  return { status: 'rejected', reason };
}
