import type { LoadLedger } from './load';
import type { Snapshot } from './probe';
import type { Receiver } from './receiver';

/** Each list names what broke a promise; all empty means nothing acknowledged was lost. */
export interface Problems {
  /** Updates that never got a 200 although the sender kept trying. */
  readonly unacknowledged: string[];
  /** Acknowledged event ids missing from tracking_events, or stored more than once. */
  readonly lostOrRepeatedEvents: string[];
  /** Stored events nobody acknowledged (should not exist: every update was retried to a 200). */
  readonly unexpectedEvents: string[];
  /** Shipments whose projection is not their last event. */
  readonly wrongFinalStates: string[];
  /** Deliveries not `delivered` (pending, failed, unmatched). */
  readonly unsettledDeliveries: string[];
  /** Shipments whose applied changes differ from their deliveries in seq order. */
  readonly deliveryMismatches: string[];
  /** Webhook-ids answered 2xx other than exactly once. */
  readonly notExactlyOnce: string[];
  readonly orderViolations: string[];
  /** With CHAOS_DESTINATIONS=2: changes the failing destination has no row for, or delivered. */
  readonly failingOutbox: string[];
  readonly other: string[];
}

/** The source system the receiver plays; the failing destination's rows are checked apart. */
const HEALTHY = 'default';
export const FAILING = 'failing';

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function checkEvents(ledger: LoadLedger, snapshot: Snapshot) {
  const stored = countBy(snapshot.events, (row) => row.eventId);
  const acked = new Set(ledger.events.flatMap((event) => event.eventId ?? []));
  const lostOrRepeatedEvents = [...acked]
    .filter((eventId) => stored.get(eventId) !== 1)
    .map((eventId) => `${eventId} stored ${stored.get(eventId) ?? 0} times`);
  const unexpectedEvents = [...stored.keys()].filter((eventId) => !acked.has(eventId));
  const unacknowledged = ledger.events
    .filter((event) => event.eventId === undefined)
    .map((event) => `${event.trackingNumber} ${event.status}`);
  const lastEvents = new Map(ledger.events.map((event) => [event.trackingNumber, event]));
  const projected = new Map(snapshot.shipments.map((row) => [row.trackingNumber, row]));
  const wrongFinalStates = [...lastEvents.values()]
    .filter((last) => projected.get(last.trackingNumber)?.lastEventId !== last.eventId)
    .map((last) => `${last.trackingNumber} is not at its ${last.status} event`);
  return { unacknowledged, lostOrRepeatedEvents, unexpectedEvents, wrongFinalStates };
}

function checkDeliveries(snapshot: Snapshot, receiver: Receiver) {
  const healthy = snapshot.deliveries.filter((row) => row.destination === HEALTHY);
  const unsettledDeliveries = healthy
    .filter((row) => row.status !== 'delivered')
    .map((row) => `${row.deliveryId} (${row.trackingNumber} ${row.trackingStatus}) ${row.status}`);
  const expected = groupBy(healthy, (row) => row.trackingNumber);
  const shipments = new Set([...expected.keys(), ...receiver.applied.keys()]);
  const deliveryMismatches = [...shipments].flatMap((trackingNumber) => {
    const want = (expected.get(trackingNumber) ?? []).map((row) => row.deliveryId);
    const got = (receiver.applied.get(trackingNumber) ?? []).map((change) => change.webhookId);
    return want.join() === got.join()
      ? []
      : [`${trackingNumber}: deliveries ${want.join(' ')} but applied ${got.join(' ')}`];
  });
  const notExactlyOnce = healthy
    .filter((row) => receiver.twoXx.get(row.deliveryId) !== 1)
    .map((row) => `${row.deliveryId} got ${receiver.twoXx.get(row.deliveryId) ?? 0} 2xx`);
  return { unsettledDeliveries, deliveryMismatches, notExactlyOnce };
}

/**
 * The failing destination is never delivered to, and loses nothing: every change the healthy
 * one got has its row there too (pending, or failed once its attempts ran out).
 */
function checkFailingOutbox(snapshot: Snapshot, destinations: number): string[] {
  if (destinations < 2) return [];
  const failing = snapshot.deliveries.filter((row) => row.destination === FAILING);
  const held = new Set(failing.map((row) => row.eventId));
  return [
    ...snapshot.deliveries
      .filter((row) => row.destination === HEALTHY && !held.has(row.eventId))
      .map((row) => `${row.trackingNumber} ${row.trackingStatus}: no row for ${FAILING}`),
    ...failing
      .filter((row) => row.status !== 'pending' && row.status !== 'failed')
      .map((row) => `${row.deliveryId} of ${FAILING} is ${row.status}`),
  ];
}

export function findProblems(
  ledger: LoadLedger,
  snapshot: Snapshot,
  receiver: Receiver,
  destinations = 1,
): Problems {
  const { jobs } = snapshot;
  const other = [
    ...ledger.eventIdMismatches.map((what) => `two event ids for ${what}`),
    ...(receiver.counts.badSignatures > 0
      ? [`${receiver.counts.badSignatures} bad signatures`]
      : []),
    ...(jobs.ingest.failed + jobs.delivery.failed > 0
      ? [`failed jobs: ingest ${jobs.ingest.failed}, delivery ${jobs.delivery.failed}`]
      : []),
  ];
  return {
    ...checkEvents(ledger, snapshot),
    ...checkDeliveries(snapshot, receiver),
    orderViolations: [...receiver.orderViolations],
    failingOutbox: checkFailingOutbox(snapshot, destinations),
    other,
  };
}

/**
 * Nothing left to happen: every event stored and projected, every change delivered. With a
 * failing destination its jobs stay open (backing off) for good, so only ingest must be idle.
 */
export function isSettled(problems: Problems, snapshot: Snapshot, destinations = 1): boolean {
  const { ingest, delivery } = snapshot.jobs;
  return (
    ingest.open + (destinations > 1 ? 0 : delivery.open) === 0 &&
    problems.failingOutbox.length === 0 &&
    problems.lostOrRepeatedEvents.length === 0 &&
    problems.wrongFinalStates.length === 0 &&
    problems.unsettledDeliveries.length === 0 &&
    problems.deliveryMismatches.length === 0
  );
}
