import {
  finishReconcileRun,
  parkPayload,
  recordTrackingEvent,
  startReconcileRun,
  type Database,
  type RecordResult,
} from '@tracksync/db';
import type { DeliveryOutcome } from '@tracksync/domain';
import { createHash } from 'node:crypto';
import { trackingEventJob } from './harness';
import { deliveryOf, recordAttempt } from './seed';

/**
 * What the ops console's browser test finds in the database: one shipment with a full story
 * (a late event, a delivery that needed a retry), one the source system did not know, one
 * whose delivery failed for good, hostile text in an event and in parked payloads, and two
 * reconciliation runs, one of them failed.
 */
export const CONSOLE_SEED = {
  orderNumber: 'SO-CONSOLE-1001',
  trackingNumber: 'CONSOLE-TN-1001',
  unmatched: 'CONSOLE-UNMATCHED-1',
  failed: 'CONSOLE-FAILED-1',
  hostileTracking: 'CONSOLE-HOSTILE-1',
  /** Markup, both quotes and a right-to-left override, as an order number. */
  hostileOrder: `<script>window.__pwned = 1</script> "double" 'single' \u202Eevil.exe`,
  runError: 'shipped orders: Starshipit answered HTTP 500 (<b>bad gateway</b>)',
} as const;

const applied: DeliveryOutcome = { kind: 'applied', httpStatus: 200 };

async function store(
  db: Database,
  fields: { order: string; tracking: string; status: string; at: string },
  extra: Record<string, unknown> = {},
): Promise<RecordResult> {
  const job = trackingEventJob({
    order_number: fields.order,
    tracking_number: fields.tracking,
    tracking_status: fields.status,
    last_updated_date: fields.at,
    carrier_name: 'Australia Post',
    carrier_service: '7B05',
    ...extra,
  });
  return recordTrackingEvent(db, { ...job, receivedAt: new Date(job.receivedAt) });
}

/** Seeds the console's story; returns the failed delivery's id. */
export async function seedConsole(db: Database): Promise<{ failedDeliveryId: string }> {
  const s = CONSOLE_SEED;
  const main = { order: s.orderNumber, tracking: s.trackingNumber };
  await recordAttempt(
    db,
    deliveryOf(await store(db, { ...main, status: 'Printed', at: '2026-06-18T09:00:00Z' })),
    1,
    applied,
  );
  const dispatched = deliveryOf(
    await store(db, { ...main, status: 'Dispatched', at: '2026-06-18T09:30:00Z' }),
  );
  await recordAttempt(db, dispatched, 1, { kind: 'retry', httpStatus: 503, reason: 'HTTP 503' });
  await recordAttempt(db, dispatched, 2, applied);
  await recordAttempt(
    db,
    deliveryOf(await store(db, { ...main, status: 'InTransit', at: '2026-06-18T11:00:00Z' })),
    1,
    applied,
  );
  // A scan that arrives after a newer one: kept in the history, delivered to no one.
  await store(db, { ...main, status: 'Manifested', at: '2026-06-18T09:10:00Z' });

  const unmatched = { order: 'SO-CONSOLE-2002', tracking: s.unmatched };
  const unknown = deliveryOf(
    await store(db, { ...unmatched, status: 'Dispatched', at: '2026-06-18T10:00:00Z' }),
  );
  await recordAttempt(db, unknown, 1, { kind: 'not_found', httpStatus: 404 });

  const failed = { order: 'SO-CONSOLE-3003', tracking: s.failed };
  const failedDeliveryId = deliveryOf(
    await store(db, { ...failed, status: 'InTransit', at: '2026-06-18T10:15:00Z' }),
  );
  await recordAttempt(db, failedDeliveryId, 1, {
    kind: 'permanent',
    httpStatus: 400,
    reason: 'HTTP 400: {"error":"order is on hold"}',
  });

  const hostile = { order: s.hostileOrder, tracking: s.hostileTracking };
  const hostileDelivery = deliveryOf(
    await store(
      db,
      { ...hostile, status: 'Dispatched', at: '2026-06-18T10:20:00Z' },
      {
        delivery_instructions: `<img src=x onerror="window.__pwned=2"> leave at "back" door \u202Ereversed`,
      },
    ),
  );
  await recordAttempt(db, hostileDelivery, 1, applied);

  await seedParked(db);
  await seedRuns(db);
  return { failedDeliveryId };
}

async function seedParked(db: Database): Promise<void> {
  const park = (
    reason: 'invalid_json' | 'invalid_payload',
    body: string,
    issues: { path: string; message: string }[],
  ) =>
    parkPayload(db, {
      parkedId: createHash('sha256').update(body).digest('hex'),
      reason,
      body,
      issues,
      receivedAt: new Date(),
    });
  await park('invalid_json', `{"order_number": "BIG-1", "notes": "${'x'.repeat(6_000)}`, []);
  await park(
    'invalid_payload',
    JSON.stringify({
      order_number: '<script>window.__pwned = 3</script>',
      tracking_number: `"double" 'single' \u202Eevil.exe`,
    }),
    [{ path: 'tracking_status', message: 'Required <b>here</b>' }],
  );
}

async function seedRuns(db: Database): Promise<void> {
  const hour = 60 * 60 * 1000;
  const older = new Date(Date.now() - 2 * hour);
  const first = await startReconcileRun(db, {
    trigger: 'schedule',
    windowStart: new Date(older.getTime() - hour),
    startedAt: older,
  });
  await finishReconcileRun(db, first, {
    requests: 7,
    pages: 2,
    eventsFound: 3,
    shipmentsPolled: 4,
    unmatchedRetried: 1,
    errors: [],
  });
  const newer = new Date(Date.now() - hour);
  const second = await startReconcileRun(db, {
    trigger: 'schedule',
    windowStart: older,
    startedAt: newer,
  });
  await finishReconcileRun(db, second, {
    requests: 1,
    pages: 0,
    eventsFound: 0,
    shipmentsPolled: 0,
    unmatchedRetried: 0,
    errors: [CONSOLE_SEED.runError],
  });
}
