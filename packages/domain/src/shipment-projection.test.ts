import { describe, expect, it } from 'vitest';
import {
  classifyProjection,
  projectHistory,
  type ProjectionResult,
  type ShipmentState,
  type StoredEvent,
} from './shipment-projection';
import type { TrackingEvent } from './tracking-event';

/** 10 June 2026 at the given UTC hour (and optional fraction), in canonical form. */
function at(hour: number, fraction = ''): string {
  return `2026-06-10T${String(hour).padStart(2, '0')}:00:00${fraction ? `.${fraction}` : ''}Z`;
}

function trackingEvent(
  trackingStatus: string,
  lastUpdatedDate: string,
  fields: Partial<TrackingEvent> = {},
): TrackingEvent {
  return {
    orderNumber: 'SO-10045',
    trackingNumber: 'TEST0000000000000001',
    trackingStatus,
    statusKnown: true,
    lastUpdatedDate,
    shipmentDate: null,
    carrierName: null,
    carrierService: null,
    orderReference: null,
    ...fields,
  };
}

function stored(
  eventId: string,
  trackingStatus: string,
  lastUpdatedDate: string,
  fields: Partial<TrackingEvent> = {},
): StoredEvent {
  return { eventId, event: trackingEvent(trackingStatus, lastUpdatedDate, fields) };
}

function project(history: readonly StoredEvent[]): ShipmentState {
  const state = projectHistory(history);
  if (!state) throw new Error('expected a state');
  return state;
}

/** Adds `next` to `history` the way the worker does, and says what it did. */
function add(
  history: readonly StoredEvent[],
  next: StoredEvent,
): { result: ProjectionResult; after: ShipmentState } {
  const before = projectHistory(history);
  const after = project([...history, next]);
  return { result: classifyProjection(before, after, next.event), after };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [
      item,
      ...rest,
    ]),
  );
}

const RICH = {
  carrierName: 'Australia Post',
  carrierService: '7B05',
  shipmentDate: '2026-06-10T02:03:42.1543701Z',
  orderReference: 'REF-10045',
};

describe('projectHistory', () => {
  it('has no state for an empty history', () => {
    expect(projectHistory([])).toBeNull();
  });

  it("takes a single event's fields as the state", () => {
    expect(project([stored('e1', 'Dispatched', at(5), RICH)])).toEqual({
      trackingNumber: 'TEST0000000000000001',
      orderNumber: 'SO-10045',
      orderReference: 'REF-10045',
      carrierName: 'Australia Post',
      carrierService: '7B05',
      shipmentDate: '2026-06-10T02:03:42.1543701Z',
      trackingStatus: 'Dispatched',
      lastUpdatedDate: at(5),
      lastEventId: 'e1',
    });
  });

  it('does not modify the history it is given', () => {
    const history = [stored('b', 'InTransit', at(3)), stored('a', 'Printed', at(1))];
    const copy = structuredClone(history);
    projectHistory(history);
    expect(history).toEqual(copy);
  });

  it('ends Delivered for every arrival order of Printed, Dispatched, InTransit, OutForDelivery, Delivered and a late InTransit', () => {
    const events = [
      stored('printed', 'Printed', at(1), { shipmentDate: RICH.shipmentDate }),
      stored('dispatched', 'Dispatched', at(2), { carrierName: RICH.carrierName }),
      stored('in-transit', 'InTransit', at(3), { carrierService: RICH.carrierService }),
      stored('out-for-delivery', 'OutForDelivery', at(4)),
      stored('delivered', 'Delivered', at(5)),
      // A carrier scan stamped after delivery: kept in the history, never shown as the state.
      stored('late-in-transit', 'InTransit', at(6), { orderReference: RICH.orderReference }),
    ];
    const orders = permutations(events);
    expect(orders).toHaveLength(720);

    const expected: ShipmentState = {
      trackingNumber: 'TEST0000000000000001',
      orderNumber: 'SO-10045',
      ...RICH,
      trackingStatus: 'Delivered',
      lastUpdatedDate: at(5),
      lastEventId: 'delivered',
    };
    for (const order of orders) {
      expect(project(order)).toEqual(expected);

      // Arriving one at a time: once Delivered is in, nothing that follows moves the state.
      const history: StoredEvent[] = [];
      for (const next of order) {
        const { result, after } = add(history, next);
        history.push(next);
        if (next.eventId === 'delivered') expect(result).toBe('applied');
        if (history.some((event) => event.eventId === 'delivered')) {
          expect(after.trackingStatus).toBe('Delivered');
          expect(after.lastUpdatedDate).toBe(at(5));
        }
      }
    }
  });

  it('applies a newer event even when its rank is lower (a carrier retries after a failed attempt)', () => {
    const state = project([
      stored('a', 'AttemptedDelivery', at(4)),
      stored('b', 'OutForDelivery', at(5)),
    ]);
    expect(state.trackingStatus).toBe('OutForDelivery');
  });

  it('applies a newer unknown status over a known one that is not final', () => {
    const state = project([stored('a', 'InTransit', at(3)), stored('b', 'PickedUp', at(4))]);
    expect(state.trackingStatus).toBe('PickedUp');
  });

  it('orders events by the digits beyond milliseconds', () => {
    const history = [
      stored('z', 'OutForDelivery', at(4, '0000001')),
      stored('a', 'InTransit', at(4, '0000002')),
    ];
    expect(project(history).trackingStatus).toBe('InTransit');
    expect(project([...history].reverse()).trackingStatus).toBe('InTransit');
  });
});

describe('projectHistory: equal timestamps', () => {
  it.each([
    ['InTransit', 'OutForDelivery'],
    ['OutForDelivery', 'AttemptedDelivery'],
    ['AwaitingCollection', 'Exception'],
    ['OutForDelivery', 'Delivered'],
    ['Exception', 'Delivered'],
    ['PickedUp', 'Printed'],
  ])('lets the higher rank win between %s and %s, in either arrival order', (lower, higher) => {
    // Ids are chosen so that the id tie-break alone would pick the lower-ranked event.
    const low = stored('z-low', lower, at(4));
    const high = stored('a-high', higher, at(4));
    expect(project([low, high]).trackingStatus).toBe(higher);
    expect(project([high, low]).trackingStatus).toBe(higher);
    expect(add([high], low).result).toBe('stale');
    expect(add([low], high).result).toBe('applied');
  });

  it('breaks a tie of timestamp and rank by event id, whatever the arrival order', () => {
    const attempted = stored('evt-b', 'AttemptedDelivery', at(4));
    const awaiting = stored('evt-a', 'AwaitingCollection', at(4));
    const pickup = stored('evt-c', 'PickupInStore', at(4));
    const states = permutations([attempted, awaiting, pickup]).map(project);
    for (const state of states) expect(state).toEqual(states[0]);
    expect(states[0]!.lastEventId).toBe('evt-c');
    expect(states[0]!.trackingStatus).toBe('PickupInStore');
  });

  it('settles Delivered and Cancelled at the same instant the same way in either arrival order', () => {
    const delivered = stored('evt-1', 'Delivered', at(5));
    const cancelled = stored('evt-2', 'Cancelled', at(5));
    expect(project([delivered, cancelled])).toEqual(project([cancelled, delivered]));
  });
});

describe('projectHistory: merging fields', () => {
  it('does not let a sparse later event blank the carrier fields', () => {
    const state = project([
      stored('a', 'InTransit', at(3), RICH),
      stored('b', 'OutForDelivery', at(4)),
    ]);
    expect(state).toMatchObject({ trackingStatus: 'OutForDelivery', lastEventId: 'b', ...RICH });
  });

  it('takes a later non-blank value over an earlier one', () => {
    const state = project([
      stored('a', 'InTransit', at(3), RICH),
      stored('b', 'OutForDelivery', at(4), { carrierService: 'EXPRESS' }),
    ]);
    expect(state.carrierService).toBe('EXPRESS');
    expect(state.carrierName).toBe(RICH.carrierName);
  });

  it('fills blanks from an older event that arrives late', () => {
    const state = project([
      stored('b', 'OutForDelivery', at(4)),
      stored('a', 'Dispatched', at(2), RICH),
    ]);
    expect(state).toMatchObject({ trackingStatus: 'OutForDelivery', lastEventId: 'b', ...RICH });
  });

  it('fills blanks of a final state from a later event without leaving the final state', () => {
    const state = project([stored('a', 'Delivered', at(5)), stored('b', 'InTransit', at(6), RICH)]);
    expect(state).toMatchObject({
      trackingStatus: 'Delivered',
      lastUpdatedDate: at(5),
      lastEventId: 'a',
      ...RICH,
    });
  });

  it('keeps the final state fields over a later non-final event', () => {
    const state = project([
      stored('a', 'Delivered', at(5), RICH),
      stored('b', 'InTransit', at(6), { carrierName: 'Someone Else' }),
    ]);
    expect(state.carrierName).toBe(RICH.carrierName);
  });
});

describe('projectHistory: final states', () => {
  it.each([
    'InTransit',
    'OutForDelivery',
    'Dispatched',
    'AttemptedDelivery',
    'Delivered',
    'PickedUp',
  ])('keeps Cancelled against a later %s', (status) => {
    const cancelled = stored('a', 'Cancelled', at(5));
    const later = stored('b', status, at(6));
    expect(project([cancelled, later])).toMatchObject({
      trackingStatus: 'Cancelled',
      lastUpdatedDate: at(5),
      lastEventId: 'a',
    });
    expect(add([cancelled], later).result).toBe('stale');
  });

  it.each([
    'Printed',
    'InTransit',
    'OutForDelivery',
    'AwaitingCollection',
    'Cancelled',
    'PickedUp',
  ])('keeps Delivered against a later %s', (status) => {
    const delivered = stored('a', 'Delivered', at(5));
    const later = stored('b', status, at(6));
    expect(project([later, delivered]).trackingStatus).toBe('Delivered');
    expect(add([delivered], later).result).toBe('stale');
  });

  it.each([
    ['Delivered', 'Exception'],
    ['Delivered', 'ReturnPickupPrinted'],
    ['Delivered', 'ReturnDropoffPrinted'],
    ['Delivered', 'ReturnLink'],
    ['Delivered', 'ReturnLabel'],
    ['Cancelled', 'Exception'],
    ['Cancelled', 'ReturnLabel'],
  ])('reopens %s for a later %s', (final, reopening) => {
    const finalEvent = stored('a', final, at(5), RICH);
    const later = stored('b', reopening, at(6));
    const { result, after } = add([finalEvent], later);
    expect(result).toBe('applied');
    expect(after).toMatchObject({
      trackingStatus: reopening,
      lastUpdatedDate: at(6),
      lastEventId: 'b',
      ...RICH,
    });
    expect(project([later, finalEvent])).toEqual(after);
  });

  it('does not reopen Delivered for an Exception stamped before it', () => {
    const { result, after } = add(
      [stored('a', 'Delivered', at(5))],
      stored('b', 'Exception', at(4)),
    );
    expect(result).toBe('stale');
    expect(after.trackingStatus).toBe('Delivered');
  });

  it('does not reopen Delivered for an Exception stamped at the same instant', () => {
    const state = project([stored('a', 'Delivered', at(5)), stored('b', 'Exception', at(5))]);
    expect(state.trackingStatus).toBe('Delivered');
  });

  it('lets a shipment reach Delivered again after an Exception reopened it', () => {
    const state = project([
      stored('a', 'Delivered', at(5)),
      stored('b', 'Exception', at(6)),
      stored('c', 'InTransit', at(7)),
      stored('d', 'Delivered', at(8)),
      stored('e', 'InTransit', at(9)),
    ]);
    expect(state).toMatchObject({ trackingStatus: 'Delivered', lastEventId: 'd' });
  });

  it('moves to Delivered when Delivered arrives after a later-stamped InTransit', () => {
    const { result, after } = add(
      [stored('a', 'InTransit', at(6))],
      stored('b', 'Delivered', at(5)),
    );
    expect(result).toBe('applied');
    expect(after).toMatchObject({ trackingStatus: 'Delivered', lastUpdatedDate: at(5) });
  });
});

describe('classifyProjection', () => {
  it('reports the first event of a shipment as applied', () => {
    expect(add([], stored('a', 'Printed', at(1))).result).toBe('applied');
  });

  it('reports a newer status as applied', () => {
    expect(add([stored('a', 'Printed', at(1))], stored('b', 'Dispatched', at(2))).result).toBe(
      'applied',
    );
  });

  it('reports the same status at a newer time as applied', () => {
    expect(add([stored('a', 'InTransit', at(3))], stored('b', 'InTransit', at(4))).result).toBe(
      'applied',
    );
  });

  it('reports an older event as stale', () => {
    const history = [stored('a', 'InTransit', at(3)), stored('b', 'OutForDelivery', at(4))];
    const { result, after } = add(history, stored('c', 'Dispatched', at(2)));
    expect(result).toBe('stale');
    expect(after).toEqual(project(history));
  });

  it('reports an event that restates the current state as unchanged', () => {
    const history = [stored('a', 'InTransit', at(3), RICH)];
    expect(add(history, stored('b', 'InTransit', at(3), RICH)).result).toBe('unchanged');
    expect(add(history, stored('0', 'InTransit', at(3), RICH)).result).toBe('unchanged');
  });

  it('reports a sparse restatement as unchanged and keeps the fields', () => {
    const history = [stored('a', 'InTransit', at(3), RICH)];
    const { result, after } = add(history, stored('b', 'InTransit', at(3)));
    expect(result).toBe('unchanged');
    expect(after).toMatchObject(RICH);
  });

  it('reports a restatement that fills a blank as merged', () => {
    const history = [stored('a', 'InTransit', at(3))];
    const { result, after } = add(history, stored('b', 'InTransit', at(3), RICH));
    expect(result).toBe('merged');
    expect(after).toMatchObject(RICH);
  });

  it('reports an older event that fills a blank as merged', () => {
    const history = [stored('a', 'OutForDelivery', at(4))];
    const { result, after } = add(
      history,
      stored('b', 'Dispatched', at(2), { carrierName: 'Australia Post' }),
    );
    expect(result).toBe('merged');
    expect(after).toMatchObject({
      trackingStatus: 'OutForDelivery',
      carrierName: 'Australia Post',
    });
  });

  it('reports an older event that brings nothing new as stale, not merged', () => {
    const history = [stored('a', 'OutForDelivery', at(4), RICH)];
    expect(add(history, stored('b', 'Dispatched', at(2), RICH)).result).toBe('stale');
  });

  it('reports a late InTransit after Delivered as stale, or merged when it fills a blank', () => {
    const history = [stored('a', 'Delivered', at(5))];
    expect(add(history, stored('b', 'InTransit', at(6))).result).toBe('stale');
    expect(
      add(history, stored('c', 'InTransit', at(6), { carrierName: 'Australia Post' })).result,
    ).toBe('merged');
  });
});
