import {
  classifyProjection,
  compareInstants,
  isKnownStatus,
  projectHistory,
  type ProjectionResult,
  type ShipmentState,
  type StoredEvent,
  type TrackingEvent,
} from '@tracksync/domain';
import type pg from 'pg';
import type { Database } from '../client';
import { newDeliveryId } from './deliveries';
import type { OutboxRow } from './outbox-sql';
import {
  LOAD_HISTORY,
  READ_SHIPMENT,
  WRITE_EVENT,
  shipmentStateOf,
  storedEventOf,
  writeEventValues,
  type EventWrite,
  type HistoryRow,
  type ShipmentReadRow,
} from './record-event-sql';

export interface IncomingEvent {
  readonly eventId: string;
  readonly source: 'webhook' | 'poll' | 'replay';
  readonly receivedAt: Date;
  readonly event: TrackingEvent;
  readonly payload: Record<string, unknown>;
}

export type RecordResult =
  | { readonly result: 'duplicate' }
  | {
      readonly result: ProjectionResult;
      readonly before: ShipmentState | null;
      readonly after: ShipmentState;
      /** The first pending delivery of this change; null when there is none to send. */
      readonly deliveryId: string | null;
      /** Every outbox row of this change, one per destination (pending or skipped). */
      readonly deliveries: readonly OutboxRow[];
    };

/**
 * Which destinations a change goes to: one entry per configured destination, `deliver`
 * false when its filter leaves the change out (the row is then written as `skipped`).
 */
export type OutboxPlanner = (
  state: ShipmentState,
) => readonly { readonly destination: string; readonly deliver: boolean }[];

/** The env-only configuration: one destination, `default`, that takes every change. */
export const SINGLE_DESTINATION: OutboxPlanner = () => [{ destination: 'default', deliver: true }];

/** A pool or a client inside a transaction: both run the same statements. */
type Queryable = Pick<pg.Pool, 'query'>;

/** Tries under the lock before giving up; each failure means another event landed meanwhile. */
const MAX_LOCKED_TRIES = 20;

/**
 * Stores the event once and re-derives its shipment. The shipment's state is the fold of its
 * whole history (projectHistory), so a late event lands where it belongs whatever the arrival
 * order. The common case — an event later than everything stored — needs no history: one
 * read and one atomic write guarded by the shipment's revision. Only when another event of
 * the same shipment lands in between do writers queue on a per-shipment advisory lock.
 */
export async function recordTrackingEvent(
  db: Database,
  incoming: IncomingEvent,
  outbox: OutboxPlanner = SINGLE_DESTINATION,
): Promise<RecordResult> {
  const pool = db.$client;
  const first = await tryRecord(pool, incoming, outbox);
  if (first) return first;
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
      incoming.event.trackingNumber,
    ]);
    // Locked writers wait for each other; a lock-free writer can still get in first, but
    // only with an event later than all stored ones, so the retries end with the events.
    for (let tries = 0; tries < MAX_LOCKED_TRIES; tries += 1) {
      const recorded = await tryRecord(client, incoming, outbox);
      if (recorded) {
        await client.query('commit');
        return recorded;
      }
    }
    throw new Error(`shipment ${incoming.event.trackingNumber} kept changing while recording`);
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** One read-compute-write round; null when the shipment's revision moved meanwhile. */
async function tryRecord(
  db: Queryable,
  incoming: IncomingEvent,
  outbox: OutboxPlanner,
): Promise<RecordResult | null> {
  const { rows } = await db.query<ShipmentReadRow>(READ_SHIPMENT, [incoming.event.trackingNumber]);
  const row = rows[0] ?? null;
  const planned =
    planInOrderEvent(row, incoming, outbox) ?? (await planWithHistory(db, row, incoming, outbox));
  if (planned === 'duplicate') return { result: 'duplicate' };
  const written = await db.query<{ projected: number; recorded: number }>(
    WRITE_EVENT,
    writeEventValues(planned.write),
  );
  const outcome = written.rows[0];
  if (!outcome?.projected) return null;
  // The revision moves with every stored event, so an event that is already stored cannot
  // pass the revision check: a projected but unrecorded event is a broken invariant.
  if (!outcome.recorded) throw unrecordedEvent(incoming.eventId);
  return planned.recorded;
}

/** What one event does to its shipment, and the write that makes it so. */
export interface PlannedRecord {
  readonly recorded: Exclude<RecordResult, { result: 'duplicate' }>;
  readonly write: EventWrite;
}

/**
 * The plan of an event later than everything stored of its shipment (or of a shipment not
 * seen before): the fold of the history is the stored state, so adding it is one step and no
 * history is read. Null when the event is not that late: only the full fold can place it.
 */
export function planInOrderEvent(
  row: ShipmentReadRow | null,
  incoming: IncomingEvent,
  outbox: OutboxPlanner = SINGLE_DESTINATION,
): PlannedRecord | null {
  if (row && !sortsAfterAllStored(incoming.event, row)) return null;
  const before = row && shipmentStateOf(row);
  const incomingEvent: StoredEvent = { eventId: incoming.eventId, event: incoming.event };
  const after = projectHistory(before ? [stateAsEvent(before), incomingEvent] : [incomingEvent]);
  return plan(incoming, row, { before, after }, outbox);
}

async function planWithHistory(
  db: Queryable,
  row: ShipmentReadRow | null,
  incoming: IncomingEvent,
  outbox: OutboxPlanner,
): Promise<PlannedRecord | 'duplicate'> {
  const { event, eventId } = incoming;
  const before = row && shipmentStateOf(row);
  const history = await loadHistory(db, event.trackingNumber);
  if (history.some((stored) => stored.eventId === eventId)) return 'duplicate';
  // When old events were pruned from the log, the stored state stands in for them, so the
  // fold starts from what the shipment already is and can never move it backwards.
  const pruned = before !== null && !history.some((s) => s.eventId === before.lastEventId);
  const after = projectHistory([
    ...(before && pruned ? [stateAsEvent(before)] : []),
    ...history,
    { eventId, event },
  ]);
  return plan(incoming, row, { before, after }, outbox);
}

function plan(
  incoming: IncomingEvent,
  row: ShipmentReadRow | null,
  { before, after }: { before: ShipmentState | null; after: ShipmentState | null },
  outbox: OutboxPlanner,
): PlannedRecord {
  if (!after) throw new Error('a history with one event always projects a state');
  const result = classifyProjection(before, after, incoming.event);
  const changed = result === 'applied' || result === 'merged';
  // Only a change of state is delivered: a merge, a restatement or a late event is not.
  const deliveries = result === 'applied' ? outboxRowsOf(outbox(after)) : [];
  const deliveryId = deliveries.find((row) => row.status === 'pending')?.deliveryId ?? null;
  return {
    recorded: { result, before, after, deliveryId, deliveries },
    write: {
      ...incoming,
      result,
      shipment: changed || !before ? after : before,
      changed,
      expectedRevision: row?.revision ?? null,
      outbox: deliveries,
    },
  };
}

function outboxRowsOf(targets: ReturnType<OutboxPlanner>): OutboxRow[] {
  return targets.map(({ destination, deliver }) => ({
    deliveryId: newDeliveryId(),
    destination,
    status: deliver ? 'pending' : 'skipped',
  }));
}

/** A projected but unrecorded event: the revision check should have made it impossible. */
export function unrecordedEvent(eventId: string): Error {
  return new Error(`event ${eventId} projected but not recorded`);
}

/**
 * True when the event is later than every stored event of the shipment, so the fold needs no
 * history. Instants are compared at the millisecond, as stored; a tie takes the full fold.
 */
function sortsAfterAllStored(event: TrackingEvent, row: ShipmentReadRow): boolean {
  const latest = row.latest_event_at?.getTime() ?? Number.NEGATIVE_INFINITY;
  return (
    new Date(event.lastUpdatedDate).getTime() > latest &&
    compareInstants(event.lastUpdatedDate, row.last_updated_date) > 0
  );
}

async function loadHistory(db: Queryable, trackingNumber: string): Promise<StoredEvent[]> {
  const { rows } = await db.query<HistoryRow>(LOAD_HISTORY, [trackingNumber]);
  return rows.map(storedEventOf);
}

function stateAsEvent(state: ShipmentState): StoredEvent {
  const { lastEventId, ...fields } = state;
  return {
    eventId: lastEventId,
    event: { ...fields, statusKnown: isKnownStatus(fields.trackingStatus) },
  };
}
