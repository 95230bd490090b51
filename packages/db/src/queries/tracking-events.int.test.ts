import { dedupKey, parseTrackingPayload, type StarshipitTrackingPayload } from '@tracksync/domain';
import { createTestDatabase, type TestDatabase } from '@tracksync/test-support';
import { eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipments, trackingEvents } from '../schema';
import { findShipment } from './shipments';
import {
  recordTrackingEvent,
  type IncomingEvent,
  type RecordResult,
} from './record-tracking-event';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

let shipmentCounter = 0;
function newTrackingNumber(prefix = 'TRK'): string {
  shipmentCounter += 1;
  return `${prefix}-${String(shipmentCounter).padStart(5, '0')}`;
}

/** A webhook as Starshipit sends it, through the same parsing the ingress applies. */
function webhook(
  trackingNumber: string,
  status: string,
  lastUpdated: string,
  extra: Partial<StarshipitTrackingPayload> = {},
): IncomingEvent {
  const payload = {
    order_number: 'API-TEST-1001',
    tracking_number: trackingNumber,
    tracking_status: status,
    last_updated_date: lastUpdated,
    ...extra,
  };
  const parsed = parseTrackingPayload(payload, 'UTC');
  if (!parsed.ok) throw new Error(`test payload is invalid: ${JSON.stringify(parsed.issues)}`);
  return {
    eventId: dedupKey(parsed.event),
    source: 'webhook',
    receivedAt: new Date(),
    event: parsed.event,
    payload,
  };
}

const carrier = {
  carrier_name: 'Australia Post',
  carrier_service: '7B05',
  shipment_date: '2026-06-18T09:30:00Z',
} as const;

function record(incoming: IncomingEvent): Promise<RecordResult> {
  return recordTrackingEvent(database.db, incoming);
}

async function storedResult(eventId: string) {
  const [row] = await database.db
    .select({ result: trackingEvents.result })
    .from(trackingEvents)
    .where(eq(trackingEvents.eventId, eventId));
  return row?.result;
}

/** Runs `tasks` with at most `width` in flight, as a pool-sized set of workers would. */
async function inParallel(width: number, tasks: readonly (() => Promise<unknown>)[]) {
  const queue = [...tasks];
  const lane = async () => {
    for (let task = queue.shift(); task; task = queue.shift()) await task();
  };
  await Promise.all(Array.from({ length: width }, lane));
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

describe('recordTrackingEvent', () => {
  it('stores an event recorded 1,000 times, many at once, exactly once', async () => {
    const trackingNumber = newTrackingNumber('SAME');
    const event = webhook(trackingNumber, 'Dispatched', '2026-06-18T09:35:00Z', carrier);
    const results: RecordResult['result'][] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      const outcomes = await Promise.all(Array.from({ length: 100 }, () => record(event)));
      results.push(...outcomes.map((outcome) => outcome.result));
    }

    expect(results.filter((result) => result === 'applied')).toHaveLength(1);
    expect(results.filter((result) => result === 'duplicate')).toHaveLength(999);
    const rows = await database.db
      .select()
      .from(trackingEvents)
      .where(eq(trackingEvents.trackingNumber, trackingNumber));
    expect(rows).toHaveLength(1);
    expect(await findShipment(database.db, trackingNumber)).toMatchObject({
      trackingStatus: 'Dispatched',
      lastEventId: event.eventId,
    });
  });

  // 720 orders × 6 events, each its own transaction: the timeout allows for a busy machine.
  it('ends Delivered, with every event stored, whatever order the six events arrive in', async () => {
    const story = (trackingNumber: string) => [
      webhook(trackingNumber, 'Printed', '2026-06-18T09:30:00Z', carrier),
      webhook(trackingNumber, 'Dispatched', '2026-06-18T10:00:00Z'),
      webhook(trackingNumber, 'InTransit', '2026-06-18T11:00:00Z'),
      webhook(trackingNumber, 'OutForDelivery', '2026-06-19T08:00:00Z'),
      webhook(trackingNumber, 'Delivered', '2026-06-19T10:15:00.1234567Z'),
      // A scan the carrier reports after delivery: kept in the history, never shown.
      webhook(trackingNumber, 'InTransit', '2026-06-19T12:00:00Z'),
    ];
    const orders = permutations([0, 1, 2, 3, 4, 5]);
    expect(orders).toHaveLength(720);

    const expected = new Map<string, string>();
    await inParallel(
      10,
      orders.map((order) => async () => {
        const events = story(newTrackingNumber('PERM'));
        const delivered = events[4]!;
        expected.set(delivered.event.trackingNumber, delivered.eventId);
        for (const index of order) await record(events[index]!);
      }),
    );

    const finals = await database.db
      .select()
      .from(shipments)
      .where(like(shipments.trackingNumber, 'PERM-%'));
    expect(finals).toHaveLength(720);
    for (const shipment of finals) {
      expect(shipment).toMatchObject({
        trackingStatus: 'Delivered',
        lastUpdatedDate: '2026-06-19T10:15:00.1234567Z',
        lastEventId: expected.get(shipment.trackingNumber),
        carrierName: 'Australia Post',
        carrierService: '7B05',
        shipmentDate: '2026-06-18T09:30:00Z',
      });
    }
    const counts = await database.db
      .select({ trackingNumber: trackingEvents.trackingNumber, events: sql<number>`count(*)::int` })
      .from(trackingEvents)
      .where(like(trackingEvents.trackingNumber, 'PERM-%'))
      .groupBy(trackingEvents.trackingNumber);
    expect(counts).toHaveLength(720);
    expect(counts.every((row) => row.events === 6)).toBe(true);
  }, 120_000);

  it('keeps carrier fields when a later event leaves them out', async () => {
    const trackingNumber = newTrackingNumber();
    await record(
      webhook(trackingNumber, 'Dispatched', '2026-06-18T09:35:00Z', {
        ...carrier,
        order_reference: 'REF-9',
      }),
    );
    const sparse = await record(
      webhook(trackingNumber, 'InTransit', '2026-06-18T12:00:00Z', { carrier_name: null }),
    );

    expect(sparse.result).toBe('applied');
    expect(await findShipment(database.db, trackingNumber)).toMatchObject({
      trackingStatus: 'InTransit',
      lastUpdatedDate: '2026-06-18T12:00:00Z',
      carrierName: 'Australia Post',
      carrierService: '7B05',
      shipmentDate: '2026-06-18T09:30:00Z',
      orderReference: 'REF-9',
    });
  });

  it('reopens a delivered shipment on a later Exception, but not on a later scan', async () => {
    const trackingNumber = newTrackingNumber();
    await record(webhook(trackingNumber, 'Delivered', '2026-06-19T10:00:00Z', carrier));
    const scan = await record(webhook(trackingNumber, 'OutForDelivery', '2026-06-19T11:00:00Z'));
    const exception = await record(webhook(trackingNumber, 'Exception', '2026-06-19T12:00:00Z'));

    expect(scan.result).toBe('stale');
    expect(exception.result).toBe('applied');
    expect(await findShipment(database.db, trackingNumber)).toMatchObject({
      trackingStatus: 'Exception',
      lastUpdatedDate: '2026-06-19T12:00:00Z',
      carrierName: 'Australia Post',
    });
  });

  it('classifies each event as applied, merged, unchanged, stale or duplicate and stores that', async () => {
    const trackingNumber = newTrackingNumber();
    const dispatched = webhook(trackingNumber, 'Dispatched', '2026-06-18T10:00:00Z');
    const inTransit = webhook(trackingNumber, 'InTransit', '2026-06-18T11:00:00Z');
    const latePrinted = webhook(trackingNumber, 'Printed', '2026-06-18T09:30:00Z', carrier);
    const restated = { ...inTransit, eventId: 'f'.repeat(64), source: 'poll' as const };
    const lateException = webhook(trackingNumber, 'Exception', '2026-06-18T10:30:00Z');

    const steps = [
      [dispatched, 'applied'],
      [inTransit, 'applied'],
      [latePrinted, 'merged'],
      [restated, 'unchanged'],
      [lateException, 'stale'],
      [inTransit, 'duplicate'],
    ] as const;
    for (const [incoming, expected] of steps) {
      const { result } = await record(incoming);
      expect({ status: incoming.event.trackingStatus, result }).toEqual({
        status: incoming.event.trackingStatus,
        result: expected,
      });
      if (result !== 'duplicate') expect(await storedResult(incoming.eventId)).toBe(expected);
    }
    expect(await findShipment(database.db, trackingNumber)).toMatchObject({
      trackingStatus: 'InTransit',
      lastEventId: inTransit.eventId,
      carrierName: 'Australia Post',
    });
  });

  it('stores both of two different events of one shipment recorded at the same moment', async () => {
    const races = Array.from({ length: 50 }, () => {
      const trackingNumber = newTrackingNumber('RACE');
      return {
        trackingNumber,
        older: webhook(trackingNumber, 'Dispatched', '2026-06-18T10:00:00Z', carrier),
        newer: webhook(trackingNumber, 'InTransit', '2026-06-18T11:00:00Z', carrier),
      };
    });
    const outcomes = await Promise.all(
      races.map(({ older, newer }) => Promise.all([record(older), record(newer)])),
    );

    for (const [index, { trackingNumber, older, newer }] of races.entries()) {
      const [olderResult, newerResult] = outcomes[index]!;
      expect(newerResult.result).toBe('applied');
      expect(['applied', 'stale']).toContain(olderResult.result);
      const stored = await database.db
        .select({ eventId: trackingEvents.eventId })
        .from(trackingEvents)
        .where(eq(trackingEvents.trackingNumber, trackingNumber));
      expect(stored.map((row) => row.eventId).sort()).toEqual(
        [older.eventId, newer.eventId].sort(),
      );
      expect(await findShipment(database.db, trackingNumber)).toMatchObject({
        trackingStatus: 'InTransit',
        lastEventId: newer.eventId,
      });
    }
  });

  it('stores an unknown status as sent and flags it', async () => {
    const trackingNumber = newTrackingNumber();
    const incoming = webhook(trackingNumber, 'HeldAtCustoms', '2026-06-18T10:00:00Z');
    const recorded = await record(incoming);

    expect(recorded.result).toBe('applied');
    const [row] = await database.db
      .select()
      .from(trackingEvents)
      .where(eq(trackingEvents.eventId, incoming.eventId));
    expect(row).toMatchObject({ trackingStatus: 'HeldAtCustoms', statusKnown: false });
  });
});
