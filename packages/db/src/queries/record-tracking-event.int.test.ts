import { dedupKey, parseTrackingPayload } from '@tracksync/domain';
import { createTestDatabase, type TestDatabase } from '@tracksync/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, shipments, trackingEvents } from '../schema';
import { recordTrackingEvent, type IncomingEvent } from './record-tracking-event';

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
