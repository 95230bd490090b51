import {
  classifyProjection,
  compareInstants,
  dedupKey,
  isKnownStatus,
  KNOWN_STATUSES,
  projectHistory,
  statusRank,
  type ProjectionResult,
  type ShipmentState,
  type StoredEvent,
} from '@tracksync/domain';
import { createTestDatabase, type TestDatabase } from '@tracksync/test-support';
import { asc, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, trackingEvents } from '../schema';
import { findShipment, toShipmentState } from './shipments';
import { recordTrackingEventBatch } from './record-event-batch';
import {
  recordTrackingEvent,
  type IncomingEvent,
  type OutboxPlanner,
  type RecordResult,
} from './record-tracking-event';

/**
 * Reliability, item 2, against Postgres: however the events of a few shipments are
 * interleaved, repeated, delayed and raced through recordTrackingEvent, each shipment ends in
 * the state of its sorted, duplicate-free history, stores each event once, and its deliveries
 * are exactly the changes of state the worker saw, in the order it saw them — one row per
 * destination, skipped where the destination's filter leaves the change out.
 */

const RUNS = 40;

/**
 * Two destinations, as a destinations file would give them: `all` takes every change, `late`
 * only states from OutForDelivery's rank up (its other changes are written as skipped).
 */
const lateOnly = (state: ShipmentState) => statusRank(state.trackingStatus) >= 40;
const TWO_DESTINATIONS: OutboxPlanner = (state) => [
  { destination: 'all', deliver: true },
  { destination: 'late', deliver: lateOnly(state) },
];

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

const STATUSES = [...KNOWN_STATUSES, 'PickedUp'];

/** Few instants, so that ties of time (and of time and rank) are common. */
const INSTANTS = [
  '2026-06-10T09:00:00Z',
  '2026-06-10T09:00:00.5000001Z',
  '2026-06-10T10:00:00Z',
  '2026-06-10T11:00:00Z',
];

interface EventSpec {
  readonly status: string;
  readonly instant: string;
  readonly carrierName: string | null;
  readonly carrierService: string | null;
  readonly shipmentDate: string | null;
  readonly orderReference: string | null;
}

const optional = (value: string) => fc.option(fc.constant(value), { nil: null, freq: 2 });

const shipmentEvents = fc.uniqueArray(
  fc.record({
    status: fc.constantFrom(...STATUSES),
    instant: fc.constantFrom(...INSTANTS),
    carrierName: optional('Australia Post'),
    carrierService: optional('7B05'),
    shipmentDate: optional('2026-06-09T08:00:00Z'),
    orderReference: optional('REF-1'),
  }),
  { minLength: 1, maxLength: 6, selector: (spec) => `${spec.status}|${spec.instant}` },
);

interface Plan {
  readonly shipments: readonly (readonly EventSpec[])[];
  /** Indexes into the flattened events: each at least once, some repeated, in any order. */
  readonly arrival: readonly number[];
  /** Sizes of the groups recorded at once (Promise.all), cycled through the arrival. */
  readonly groups: readonly number[];
}

const plan: fc.Arbitrary<Plan> = fc
  .array(shipmentEvents, { minLength: 1, maxLength: 4 })
  .chain((shipments) => {
    const count = shipments.reduce((total, specs) => total + specs.length, 0);
    const indexes = Array.from({ length: count }, (_, index) => index);
    return fc.record({
      shipments: fc.constant(shipments),
      arrival: fc
        .tuple(
          fc.shuffledSubarray(indexes, { minLength: count, maxLength: count }),
          fc.array(fc.tuple(fc.nat({ max: count - 1 }), fc.nat()), { maxLength: count }),
        )
        .map(([order, copies]) => {
          const arrival = [...order];
          for (const [event, at] of copies) arrival.splice(at % (arrival.length + 1), 0, event);
          return arrival;
        }),
      groups: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }),
    });
  });

/** Each run uses tracking numbers of its own, so one database serves every run. */
let runCounter = 0;

function incoming(run: number, shipment: number, spec: EventSpec): IncomingEvent {
  const event = {
    orderNumber: `SO-PROP-${run}-${shipment}`,
    trackingNumber: `PROP-${run}-${shipment}`,
    trackingStatus: spec.status,
    statusKnown: isKnownStatus(spec.status),
    lastUpdatedDate: spec.instant,
    shipmentDate: spec.shipmentDate,
    carrierName: spec.carrierName,
    carrierService: spec.carrierService,
    orderReference: spec.orderReference,
  };
  return {
    eventId: dedupKey(event),
    source: 'webhook',
    receivedAt: new Date(),
    event,
    payload: { tracking_number: event.trackingNumber, tracking_status: spec.status },
  };
}

const SORTED = '-sorted';

/**
 * The same event on a twin shipment. The id keeps the original as its prefix (all dedup keys
 * have the same length), so ties between events sort the same way on both shipments.
 */
function twinOf(original: IncomingEvent): IncomingEvent {
  return {
    ...original,
    eventId: `${original.eventId}${SORTED}`,
    event: { ...original.event, trackingNumber: `${original.event.trackingNumber}${SORTED}` },
  };
}

/** A state with its twin's names taken back to the original's, for comparison. */
function untwinned(state: ShipmentState): ShipmentState {
  return {
    ...state,
    trackingNumber: state.trackingNumber.replace(SORTED, ''),
    lastEventId: state.lastEventId.replace(SORTED, ''),
  };
}

/** The fold's order, restated here: time, then rank, then event id. */
function compareEvents(a: StoredEvent, b: StoredEvent): number {
  return (
    compareInstants(a.event.lastUpdatedDate, b.event.lastUpdatedDate) ||
    statusRank(a.event.trackingStatus) - statusRank(b.event.trackingStatus) ||
    (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)
  );
}

interface Change {
  readonly eventId: string;
  readonly state: ShipmentState;
}

/**
 * What the worker should have done, given the order in which it committed the events: each
 * event's classification, and the delivery created for each change of state.
 */
function expectedFromCommitOrder(committed: readonly StoredEvent[]) {
  const results: ProjectionResult[] = [];
  const changes: Change[] = [];
  for (let index = 0; index < committed.length; index += 1) {
    const before = projectHistory(committed.slice(0, index));
    const after = projectHistory(committed.slice(0, index + 1))!;
    const result = classifyProjection(before, after, committed[index]!.event);
    results.push(result);
    if (result === 'applied') changes.push({ eventId: committed[index]!.eventId, state: after });
  }
  return { results, changes };
}

const sameInstantAndStatus = (a: ShipmentState, b: ShipmentState) =>
  a.trackingStatus === b.trackingStatus && a.lastUpdatedDate === b.lastUpdatedDate;

async function storedRows(trackingNumbers: readonly string[]) {
  const [events, changes] = await Promise.all([
    database.db
      .select({
        eventId: trackingEvents.eventId,
        trackingNumber: trackingEvents.trackingNumber,
        result: trackingEvents.result,
      })
      .from(trackingEvents)
      .where(inArray(trackingEvents.trackingNumber, [...trackingNumbers]))
      .orderBy(asc(trackingEvents.id)),
    database.db
      .select({
        eventId: deliveries.eventId,
        trackingNumber: deliveries.trackingNumber,
        destination: deliveries.destination,
        status: deliveries.status,
        reason: deliveries.reason,
        state: deliveries.state,
      })
      .from(deliveries)
      .where(inArray(deliveries.trackingNumber, [...trackingNumbers]))
      .orderBy(asc(deliveries.seq)),
  ]);
  // Each change has one row per destination; `all` stands for the change itself, and the
  // rows of `late` are checked against it.
  return {
    events,
    changes: changes.filter((row) => row.destination === 'all'),
    late: changes.filter((row) => row.destination === 'late'),
  };
}

/** `late` got one row per change, in the same order, pending exactly when its filter passes. */
function expectLateRowsToFollow(
  changes: readonly { eventId: string | null; state: ShipmentState }[],
  late: readonly { eventId: string | null; state: ShipmentState; status: string }[],
) {
  expect(late.map(({ eventId, state }) => ({ eventId, state }))).toEqual(
    changes.map(({ eventId, state }) => ({ eventId, state })),
  );
  expect(late.map((row) => row.status)).toEqual(
    changes.map((row) => (lateOnly(row.state) ? 'pending' : 'skipped')),
  );
}

async function shipmentState(trackingNumber: string): Promise<ShipmentState> {
  const row = await findShipment(database.db, trackingNumber);
  if (!row) throw new Error(`no shipment ${trackingNumber}`);
  return toShipmentState(row);
}

/** Splits the arrival into consecutive groups of the planned sizes. */
function groupsOf(arrival: readonly IncomingEvent[], sizes: readonly number[]): IncomingEvent[][] {
  const groups: IncomingEvent[][] = [];
  for (let start = 0, group = 0; start < arrival.length; group += 1) {
    const size = sizes[group % sizes.length]!;
    groups.push(arrival.slice(start, start + size));
    start += size;
  }
  return groups;
}

/** One event per call; the members of a group race each other. */
async function recordRacingSingles(groups: readonly IncomingEvent[][]): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  for (const group of groups) {
    results.push(
      ...(await Promise.all(
        group.map((event) => recordTrackingEvent(database.db, event, TWO_DESTINATIONS)),
      )),
    );
  }
  return results;
}

/** Each group is one group commit, and two consecutive commits race each other. */
async function recordRacingBatches(groups: readonly IncomingEvent[][]): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  for (let index = 0; index < groups.length; index += 2) {
    const racing = groups.slice(index, index + 2);
    const settled = await Promise.all(
      racing.map((group) => recordTrackingEventBatch(database.db, group, TWO_DESTINATIONS)),
    );
    for (const outcome of settled.flat()) {
      if (outcome.status === 'rejected') throw outcome.reason;
      results.push(outcome.value);
    }
  }
  return results;
}

describe.each([
  ['recordTrackingEvent', recordRacingSingles],
  ['recordTrackingEventBatch', recordRacingBatches],
])('%s under any interleaving, duplication, delay and concurrency', (_, recordArrival) => {
  it('ends each shipment as its sorted, duplicate-free history says, delivering each change of state once', async () => {
    await fc.assert(
      fc.asyncProperty(plan, async ({ shipments, arrival, groups }) => {
        runCounter += 1;
        const run = runCounter;
        const byShipment = shipments.map((specs, shipment) =>
          specs.map((spec) => incoming(run, shipment, spec)),
        );
        const distinct = byShipment.flat();
        const results = await recordArrival(
          groupsOf(
            arrival.map((index) => distinct[index]!),
            groups,
          ),
        );
        // Each repeat, and only a repeat, is reported as a duplicate.
        const duplicates = results.filter((outcome) => outcome.result === 'duplicate');
        expect(duplicates).toHaveLength(arrival.length - distinct.length);

        const trackingNumbers = byShipment.map((events) => events[0]!.event.trackingNumber);
        const stored = await storedRows(trackingNumbers);
        for (const [shipment, events] of byShipment.entries()) {
          const trackingNumber = trackingNumbers[shipment]!;
          const sorted = [...events].sort(compareEvents);
          const final = projectHistory(sorted)!;
          expect(await shipmentState(trackingNumber)).toEqual(final);

          // Exactly one row per distinct dedup key.
          const rows = stored.events.filter((row) => row.trackingNumber === trackingNumber);
          expect(rows.map((row) => row.eventId).sort()).toEqual(
            events.map((event) => event.eventId).sort(),
          );

          // A shipment's writes are serialised (its row is locked by each write until commit), so
          // row ids give the order of commits:
          // replaying that order predicts every stored result and every delivery.
          const byId = new Map(events.map((event) => [event.eventId, event]));
          const committed = rows.map((row) => byId.get(row.eventId)!);
          const expected = expectedFromCommitOrder(committed);
          expect(rows.map((row) => row.result)).toEqual(expected.results);
          const changes = stored.changes.filter((row) => row.trackingNumber === trackingNumber);
          expect(changes.every((row) => row.reason === 'change')).toBe(true);
          expect(changes.map(({ eventId, state }) => ({ eventId, state }))).toEqual(
            expected.changes,
          );
          expectLateRowsToFollow(
            changes,
            stored.late.filter((row) => row.trackingNumber === trackingNumber),
          );

          // So the deliveries are a chain of changes, none repeating the one before it, that
          // ends in the final state (whose fields later merges may still have filled).
          expect(changes.length).toBeGreaterThan(0);
          for (let index = 1; index < changes.length; index += 1) {
            expect(sameInstantAndStatus(changes[index - 1]!.state, changes[index]!.state)).toBe(
              false,
            );
          }
          expect(changes.at(-1)!.state).toMatchObject({
            trackingStatus: final.trackingStatus,
            lastUpdatedDate: final.lastUpdatedDate,
            lastEventId: final.lastEventId,
          });
        }

        // The same distinct events, in time order, one at a time, on twin shipments.
        await Promise.all(
          byShipment.map(async (events) => {
            const sorted = [...events].sort(compareEvents).map(twinOf);
            for (const event of sorted) {
              await recordTrackingEvent(database.db, event, TWO_DESTINATIONS);
            }
          }),
        );
        const twinNumbers = trackingNumbers.map((trackingNumber) => `${trackingNumber}${SORTED}`);
        const twins = await storedRows(twinNumbers);
        for (const [shipment, events] of byShipment.entries()) {
          const twinNumber = twinNumbers[shipment]!;
          const final = await shipmentState(trackingNumbers[shipment]!);
          expect(untwinned(await shipmentState(twinNumber))).toEqual(final);

          // In time order every delivery is of the event just recorded, each one newer than
          // the one before, and the last is of the final state.
          const changes = twins.changes.filter((row) => row.trackingNumber === twinNumber);
          const sorted = [...events].sort(compareEvents).map(twinOf);
          const positions = changes.map((row) =>
            sorted.findIndex((event) => event.eventId === row.eventId),
          );
          expect(changes.map((row) => row.state.lastEventId)).toEqual(
            changes.map((row) => row.eventId),
          );
          expect(positions.every((position) => position >= 0)).toBe(true);
          expect(positions).toEqual([...positions].sort((a, b) => a - b));
          expect(new Set(positions).size).toBe(positions.length);
          expectLateRowsToFollow(
            changes,
            twins.late.filter((row) => row.trackingNumber === twinNumber),
          );
          expect(untwinned(changes.at(-1)!.state)).toMatchObject({
            trackingStatus: final.trackingStatus,
            lastUpdatedDate: final.lastUpdatedDate,
            lastEventId: final.lastEventId,
          });
        }
      }),
      { numRuns: RUNS },
    );
  }, 60_000);
});
