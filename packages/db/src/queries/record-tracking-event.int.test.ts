import { dedupKey, parseTrackingPayload } from '@tracksync/domain';
import { createTestDatabase, type TestDatabase } from '@tracksync/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDb } from '../client';
import { deliveries, shipments, trackingEvents } from '../schema';
import { recordTrackingEventBatch } from './record-event-batch';
import {
  recordTrackingEvent,
  type IncomingEvent,
  type RecordResult,
} from './record-tracking-event';

/**
 * The revision protocol of recordTrackingEvent: one lock-free round for an event later than
 * all stored ones, a compare-and-set on the shipment's revision, and the locked retry when
 * writers of one shipment collide. The fold itself is covered by tracking-events tests.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

let counter = 0;
function newTrackingNumber(): string {
  counter += 1;
  return `REV-${String(counter).padStart(4, '0')}`;
}

function scan(trackingNumber: string, status: string, minute: number): IncomingEvent {
  const payload = {
    order_number: `SO-${trackingNumber}`,
    tracking_number: trackingNumber,
    tracking_status: status,
    last_updated_date: new Date(Date.UTC(2026, 5, 18, 9, minute)).toISOString(),
  };
  const parsed = parseTrackingPayload(payload, 'UTC');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return {
    eventId: dedupKey(parsed.event),
    source: 'webhook',
    receivedAt: new Date(),
    event: parsed.event,
    payload,
  };
}

async function shipmentRow(trackingNumber: string) {
  const [row] = await database.db
    .select()
    .from(shipments)
    .where(eq(shipments.trackingNumber, trackingNumber));
  if (!row) throw new Error(`no shipment ${trackingNumber}`);
  return row;
}

async function countRows(table: typeof trackingEvents | typeof deliveries, trackingNumber: string) {
  const rows = await database.db
    .select({ trackingNumber: table.trackingNumber })
    .from(table)
    .where(eq(table.trackingNumber, trackingNumber));
  return rows.length;
}

describe('recordTrackingEvent revisions', () => {
  it('bumps the revision once per stored event, and not for a repeat', async () => {
    const trackingNumber = newTrackingNumber();
    const printed = scan(trackingNumber, 'Printed', 0);
    await recordTrackingEvent(database.db, printed);
    await recordTrackingEvent(database.db, scan(trackingNumber, 'Dispatched', 5));
    expect(await recordTrackingEvent(database.db, printed)).toEqual({ result: 'duplicate' });
    const row = await shipmentRow(trackingNumber);
    expect(row.revision).toBe(2);
    expect(row.trackingStatus).toBe('Dispatched');
  });

  it('moves the revision but not updated_at for an event that changes nothing', async () => {
    const trackingNumber = newTrackingNumber();
    await recordTrackingEvent(database.db, scan(trackingNumber, 'Delivered', 30));
    const before = await shipmentRow(trackingNumber);
    // Later than everything stored, yet a delivered parcel stays delivered: history only.
    const late = await recordTrackingEvent(database.db, scan(trackingNumber, 'InTransit', 40));
    expect(late.result).toBe('stale');
    const after = await shipmentRow(trackingNumber);
    expect(after.revision).toBe(before.revision + 1);
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(after.trackingStatus).toBe('Delivered');
    expect(await countRows(deliveries, trackingNumber)).toBe(1);
  });

  it('stores every one of 40 events of one shipment raced at once, ending in the latest', async () => {
    const trackingNumber = newTrackingNumber();
    await recordTrackingEvent(database.db, scan(trackingNumber, 'Printed', 0));
    const scans = Array.from({ length: 40 }, (_, i) => scan(trackingNumber, 'InTransit', i + 1));
    const results = await Promise.all(scans.map((s) => recordTrackingEvent(database.db, s)));
    const row = await shipmentRow(trackingNumber);
    expect(row.revision).toBe(41);
    expect(row.lastEventId).toBe(scans.at(-1)?.eventId);
    expect(await countRows(trackingEvents, trackingNumber)).toBe(41);
    // Each applied result wrote exactly one outbox row, and nothing else did.
    const applied = results.filter((r) => r.result === 'applied').length;
    expect(await countRows(deliveries, trackingNumber)).toBe(applied + 1);
  });

  it('answers duplicate to all but one of 20 copies of one event raced at once', async () => {
    const trackingNumber = newTrackingNumber();
    const copy = scan(trackingNumber, 'Dispatched', 3);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => recordTrackingEvent(database.db, copy)),
    );
    expect(results.filter((r) => r.result === 'duplicate')).toHaveLength(19);
    expect(await countRows(trackingEvents, trackingNumber)).toBe(1);
    expect(await countRows(deliveries, trackingNumber)).toBe(1);
    expect((await shipmentRow(trackingNumber)).revision).toBe(1);
  });
});

/** The outcomes of a batch, each unwrapped; a rejected one fails the test with its reason. */
async function recordBatch(batch: readonly IncomingEvent[]): Promise<RecordResult[]> {
  const settled = await recordTrackingEventBatch(database.db, batch);
  return settled.map((outcome) => {
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  });
}

describe('recordTrackingEventBatch', () => {
  it('records in-order events of new and known shipments with one read and one write', async () => {
    const known = newTrackingNumber();
    await recordTrackingEvent(database.db, scan(known, 'Printed', 0));
    const fresh = [newTrackingNumber(), newTrackingNumber(), newTrackingNumber()];
    const batch = [scan(known, 'Dispatched', 5), ...fresh.map((t) => scan(t, 'Printed', 1))];
    const query = vi.spyOn(database.db.$client, 'query');
    const results = await recordBatch(batch);
    const statements = query.mock.calls.map(([config]) => (config as { name?: string }).name);
    query.mockRestore();
    expect(statements).toEqual(['tracksync_read_shipments', 'tracksync_write_events']);
    expect(results.map((r) => r.result)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(await shipmentRow(known)).toMatchObject({ revision: 2, trackingStatus: 'Dispatched' });
    for (const trackingNumber of [known, ...fresh]) {
      expect(await countRows(deliveries, trackingNumber)).toBe(trackingNumber === known ? 2 : 1);
    }
    const [first] = results;
    expect(first).toMatchObject({ before: { trackingStatus: 'Printed' } });
  });

  it('stores exactly what one event at a time would, field for field', async () => {
    const [single, batched] = [newTrackingNumber(), newTrackingNumber()];
    await recordTrackingEvent(database.db, scan(single, 'InTransit', 7));
    await recordBatch([scan(batched, 'InTransit', 7)]);
    const shipmentFields = async (trackingNumber: string) => {
      const row = await shipmentRow(trackingNumber);
      return [
        row.trackingStatus,
        row.lastUpdatedDate,
        row.lastUpdatedAt,
        row.revision,
        row.carrierName,
      ];
    };
    expect(await shipmentFields(batched)).toEqual(await shipmentFields(single));
    const eventFields = async (trackingNumber: string) => {
      const [row] = await database.db
        .select()
        .from(trackingEvents)
        .where(eq(trackingEvents.trackingNumber, trackingNumber));
      return (
        row && [
          row.source,
          row.trackingStatus,
          row.statusKnown,
          row.lastUpdatedDate,
          row.lastUpdatedAt,
          row.result,
        ]
      );
    };
    expect(await eventFields(batched)).toEqual(await eventFields(single));
    expect(await countRows(deliveries, batched)).toBe(1);
  });

  it('settles what the batch cannot alone — a second event of a shipment, an older event, a repeat — as the single path does', async () => {
    const [a, b, c] = [newTrackingNumber(), newTrackingNumber(), newTrackingNumber()];
    await recordTrackingEvent(database.db, scan(b, 'InTransit', 20));
    const repeat = scan(c, 'Printed', 0);
    await recordTrackingEvent(database.db, repeat);
    const results = await recordBatch([
      scan(a, 'Printed', 0),
      scan(a, 'Dispatched', 5),
      scan(b, 'Dispatched', 10),
      repeat,
    ]);
    expect(results.map((r) => r.result)).toEqual(['applied', 'applied', 'stale', 'duplicate']);
    expect(await shipmentRow(a)).toMatchObject({ revision: 2, trackingStatus: 'Dispatched' });
    expect(await shipmentRow(b)).toMatchObject({ revision: 2, trackingStatus: 'InTransit' });
    expect(await countRows(trackingEvents, c)).toBe(1);
  });

  it('fails every event with the database error when Postgres cannot be reached', async () => {
    const closed = createDb(database.url);
    await closed.close();
    const settled = await recordTrackingEventBatch(closed.db, [
      scan(newTrackingNumber(), 'Printed', 0),
      scan(newTrackingNumber(), 'Printed', 0),
    ]);
    expect(settled.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });
});
