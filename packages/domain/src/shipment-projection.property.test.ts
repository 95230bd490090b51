import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dedupKey } from './dedup-key';
import {
  classifyProjection,
  projectHistory,
  type ProjectionResult,
  type ShipmentState,
  type StoredEvent,
} from './shipment-projection';
import {
  isFinalStatus,
  isKnownStatus,
  KNOWN_STATUSES,
  reopensFinalState,
  statusRank,
} from './statuses';
import { compareInstants } from './timestamps';

/**
 * Reliability, item 2: whatever the interleaving, duplication and delay of a shipment's events,
 * its final state (and the states it passes through) depend only on which events exist.
 */

const RUNS = 500;

/** A status Starshipit may add later: ranked below every known one. */
const UNKNOWN_STATUS = 'PickedUp';
const STATUSES = [...KNOWN_STATUSES, UNKNOWN_STATUS];

/** Few instants, in canonical form, so that ties of time (and of time and rank) are common. */
const INSTANTS = [
  '2026-06-10T09:00:00Z',
  '2026-06-10T09:00:00.5Z',
  '2026-06-10T09:00:00.5000001Z',
  '2026-06-10T10:00:00Z',
  '2026-06-10T11:00:00Z',
];

const MERGED_FIELDS = ['orderReference', 'carrierName', 'carrierService', 'shipmentDate'] as const;

interface EventSpec {
  readonly status: string;
  readonly instant: string;
  readonly orderReference: string | null;
  readonly carrierName: string | null;
  readonly carrierService: string | null;
  readonly shipmentDate: string | null;
}

const BLANK = {
  orderReference: null,
  carrierName: null,
  carrierService: null,
  shipmentDate: null,
} as const;

/** Carrier fields are often left out: `null` about half the time. */
const optional = (values: readonly string[]) =>
  fc.option(fc.constantFrom(...values), { nil: null, freq: 2 });

const eventSpec: fc.Arbitrary<EventSpec> = fc.record({
  status: fc.constantFrom(...STATUSES),
  instant: fc.constantFrom(...INSTANTS),
  orderReference: optional(['REF-1', 'REF-2']),
  carrierName: optional(['Australia Post', 'Aramex']),
  carrierService: optional(['7B05', 'EXPRESS']),
  shipmentDate: optional(['2026-06-09T08:00:00Z', '2026-06-09T09:00:00Z']),
});

/** One shipment's distinct events: status and instant are the identity (with the numbers). */
const shipmentEvents = fc.uniqueArray(eventSpec, {
  minLength: 1,
  maxLength: 10,
  selector: (spec) => `${spec.status}|${spec.instant}`,
});

function storedEvent(shipment: number, spec: EventSpec): StoredEvent {
  const event = {
    orderNumber: `SO-${shipment}`,
    trackingNumber: `TRK-${shipment}`,
    trackingStatus: spec.status,
    statusKnown: isKnownStatus(spec.status),
    lastUpdatedDate: spec.instant,
    shipmentDate: spec.shipmentDate,
    carrierName: spec.carrierName,
    carrierService: spec.carrierService,
    orderReference: spec.orderReference,
  };
  return { eventId: dedupKey(event), event };
}

interface Scenario {
  /** Every shipment's distinct events. */
  readonly distinct: readonly StoredEvent[];
  /** The order they arrive in: every event at least once, some more than once, any order. */
  readonly arrival: readonly StoredEvent[];
  /** A second, independent arrival order of the same events. */
  readonly otherArrival: readonly StoredEvent[];
}

/** A permutation of `events` with extra copies of some of them spliced in anywhere. */
function arrivalOf(events: readonly StoredEvent[]): fc.Arbitrary<StoredEvent[]> {
  const count = events.length;
  return fc
    .tuple(
      fc.shuffledSubarray([...events], { minLength: count, maxLength: count }),
      fc.array(fc.tuple(fc.nat({ max: count - 1 }), fc.nat()), { maxLength: count }),
    )
    .map(([order, copies]) => {
      const arrival = [...order];
      for (const [event, position] of copies) {
        arrival.splice(position % (arrival.length + 1), 0, events[event]!);
      }
      return arrival;
    });
}

const scenario: fc.Arbitrary<Scenario> = fc
  .array(shipmentEvents, { minLength: 1, maxLength: 4 })
  .map((shipments) => shipments.flatMap((specs, index) => specs.map((s) => storedEvent(index, s))))
  .chain((distinct) =>
    fc.record({
      distinct: fc.constant(distinct),
      arrival: arrivalOf(distinct),
      otherArrival: arrivalOf(distinct),
    }),
  );

/** The fold's order, restated here: time, then rank, then event id. */
function compareEvents(a: StoredEvent, b: StoredEvent): number {
  return (
    compareInstants(a.event.lastUpdatedDate, b.event.lastUpdatedDate) ||
    statusRank(a.event.trackingStatus) - statusRank(b.event.trackingStatus) ||
    (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)
  );
}

interface Step {
  readonly event: StoredEvent;
  readonly before: ShipmentState | null;
  readonly after: ShipmentState;
  readonly result: ProjectionResult;
  /** The distinct events of the shipment known once this one was added. */
  readonly known: readonly StoredEvent[];
}

/**
 * Feeds `arrival` in one event at a time, as the worker does: a repeat is dropped, a new event
 * joins its shipment's history, which is refolded. Returns each shipment's steps.
 */
function replay(arrival: readonly StoredEvent[]): Map<string, Step[]> {
  const histories = new Map<string, Map<string, StoredEvent>>();
  const steps = new Map<string, Step[]>();
  for (const stored of arrival) {
    const trackingNumber = stored.event.trackingNumber;
    const history = histories.get(trackingNumber) ?? new Map<string, StoredEvent>();
    histories.set(trackingNumber, history);
    if (history.has(stored.eventId)) continue;
    const before = projectHistory([...history.values()]);
    history.set(stored.eventId, stored);
    const known = [...history.values()];
    const after = projectHistory(known);
    if (!after) throw new Error('a non-empty history always projects a state');
    const result = classifyProjection(before, after, stored.event);
    const shipmentSteps = steps.get(trackingNumber) ?? [];
    steps.set(trackingNumber, [...shipmentSteps, { event: stored, before, after, result, known }]);
  }
  return steps;
}

function finalStates(steps: Map<string, Step[]>): Map<string, ShipmentState> {
  return new Map([...steps].map(([trackingNumber, s]) => [trackingNumber, s.at(-1)!.after]));
}

/** Each shipment's distinct events, sorted into the fold's order. */
function sortedByShipment(distinct: readonly StoredEvent[]): Map<string, StoredEvent[]> {
  const byShipment = new Map<string, StoredEvent[]>();
  for (const stored of distinct) {
    const events = byShipment.get(stored.event.trackingNumber) ?? [];
    byShipment.set(stored.event.trackingNumber, [...events, stored]);
  }
  for (const events of byShipment.values()) events.sort(compareEvents);
  return byShipment;
}

const sameInstantAndStatus = (a: ShipmentState, b: ShipmentState) =>
  a.trackingStatus === b.trackingStatus && a.lastUpdatedDate === b.lastUpdatedDate;

function eventOf(known: readonly StoredEvent[], state: ShipmentState): StoredEvent {
  const event = known.find((stored) => stored.eventId === state.lastEventId);
  if (!event) throw new Error(`state names an unknown event ${state.lastEventId}`);
  return event;
}

describe('projectHistory under any interleaving, duplication and delay', () => {
  it('ends every shipment in the state of its sorted, duplicate-free history', () => {
    fc.assert(
      fc.property(scenario, ({ distinct, arrival }) => {
        const sorted = sortedByShipment(distinct);
        const finals = finalStates(replay(arrival));
        expect([...finals.keys()].sort()).toEqual([...sorted.keys()].sort());
        for (const [trackingNumber, events] of sorted) {
          expect(finals.get(trackingNumber)).toEqual(projectHistory(events));
          // The fold of the sorted events, one at a time, agrees with the one-shot fold.
          expect(finalStates(replay(events)).get(trackingNumber)).toEqual(projectHistory(events));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('reaches the same final states whatever the order of arrival', () => {
    fc.assert(
      fc.property(scenario, ({ arrival, otherArrival }) => {
        const finals = finalStates(replay(arrival));
        expect(finalStates(replay(otherArrival))).toEqual(finals);
        expect(finalStates(replay([...arrival].reverse()))).toEqual(finals);
      }),
      { numRuns: RUNS },
    );
  });

  it('never blanks a carrier field that once had a value', () => {
    fc.assert(
      fc.property(scenario, ({ arrival }) => {
        for (const steps of replay(arrival).values()) {
          for (const { before, after } of steps) {
            for (const field of MERGED_FIELDS) {
              if (before?.[field] != null) expect(after[field]).not.toBeNull();
            }
          }
          // And a field is set at the end exactly when some event of the shipment had it.
          const last = steps.at(-1)!;
          for (const field of MERGED_FIELDS) {
            const someEventHasIt = last.known.some((stored) => stored.event[field] !== null);
            expect(last.after[field] !== null).toBe(someEventHasIt);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("classifies an event as 'applied' exactly when the status or the instant changed", () => {
    fc.assert(
      fc.property(scenario, ({ arrival }) => {
        for (const steps of replay(arrival).values()) {
          for (const { before, after, result, event } of steps) {
            const changed = !before || !sameInstantAndStatus(before, after);
            expect(result === 'applied').toBe(changed);
            if (changed) continue;
            // Without a change of state the state keeps its event: only fields can be filled.
            expect(after.lastEventId).toBe(before.lastEventId);
            const filled = MERGED_FIELDS.some((field) => before[field] !== after[field]);
            expect(result === 'merged').toBe(filled);
            // A distinct event never restates the state: that would be the same dedup key.
            expect(event.eventId).not.toBe(before.lastEventId);
            if (!filled) {
              expect(after).toEqual(before);
              expect(result).toBe('stale');
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves a final state, in time order, only for a later Exception or return status', () => {
    fc.assert(
      fc.property(scenario, ({ distinct }) => {
        for (const events of sortedByShipment(distinct).values()) {
          for (const { before, after, result, event } of replay(events).get(
            events[0]!.event.trackingNumber,
          )!) {
            // Arriving in order, an event either becomes the state or leaves it as it was.
            if (result === 'applied') expect(after.lastEventId).toBe(event.eventId);
            if (!before || !isFinalStatus(before.trackingStatus) || result !== 'applied') continue;
            expect(reopensFinalState(after.trackingStatus)).toBe(true);
            expect(compareEvents(event, eventOf(events, before))).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves a final state, in any arrival order, only for a reopening event after it or for an earlier final state', () => {
    fc.assert(
      fc.property(scenario, ({ arrival }) => {
        for (const steps of replay(arrival).values()) {
          for (const { before, after, result, known } of steps) {
            if (!before || !isFinalStatus(before.trackingStatus) || result !== 'applied') continue;
            const left = eventOf(known, before);
            const now = eventOf(known, after);
            // A final status stamped before the current one (or tied with it) arrived late:
            // the first final state in time order is the one that stands.
            const earlierFinal =
              isFinalStatus(after.trackingStatus) && compareEvents(now, left) < 0;
            // Otherwise a reopening event between the two states released the final one.
            const reopened = known.some(
              (stored) =>
                reopensFinalState(stored.event.trackingStatus) &&
                compareEvents(stored, left) > 0 &&
                compareEvents(stored, now) <= 0,
            );
            expect(earlierFinal || reopened).toBe(true);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('delivers a chain of changed states that ends in the final state', () => {
    fc.assert(
      fc.property(scenario, ({ arrival }) => {
        for (const steps of replay(arrival).values()) {
          const delivered = steps.filter((step) => step.result === 'applied').map((s) => s.after);
          expect(delivered.length).toBeGreaterThan(0);
          for (let index = 1; index < delivered.length; index += 1) {
            expect(sameInstantAndStatus(delivered[index - 1]!, delivered[index]!)).toBe(false);
          }
          const final = steps.at(-1)!.after;
          expect(delivered.at(-1)).toMatchObject({
            trackingStatus: final.trackingStatus,
            lastUpdatedDate: final.lastUpdatedDate,
            lastEventId: final.lastEventId,
          });
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('projectHistory: what order independence implies for the states passed through', () => {
  // Found by the properties above, in their first, stronger form: a final state may be left for
  // a status that does not reopen it, and a state may be reached (and delivered) twice. Both
  // follow from order independence plus "a late Delivered stands over a later scan".
  it('returns to a state it left when a late reopening event releases a late final one', () => {
    const printed = storedEvent(0, { ...BLANK, status: 'Printed', instant: INSTANTS[3]! });
    const delivered = storedEvent(0, { ...BLANK, status: 'Delivered', instant: INSTANTS[0]! });
    const returned = storedEvent(0, {
      ...BLANK,
      status: 'ReturnDropoffPrinted',
      instant: INSTANTS[0]!,
    });
    const steps = replay([printed, delivered, returned]).get('TRK-0')!;
    expect(steps.map((step) => [step.after.trackingStatus, step.result])).toEqual([
      ['Printed', 'applied'],
      ['Delivered', 'applied'],
      ['Printed', 'applied'],
    ]);
    expect(steps[2]!.after).toEqual(steps[0]!.after);
  });
});
