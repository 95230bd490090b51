import {
  deliveries,
  recordTrackingEvent,
  shipments,
  trackingEvents,
  type Database,
  type RecordResult,
} from '@tracksync/db';
import { enqueue } from '@tracksync/queue';
import {
  startFakeStarshipit,
  type FakeShippedOrder,
  type FakeStarshipit,
  type JsonObject,
  type RecordedRequest,
} from '@tracksync/starshipit/testing';
import { asc, eq } from 'drizzle-orm';
import { randomBytes, randomUUID } from 'node:crypto';
import { runReconciliation, type ReconcileDeps } from '../src/reconcile/run';
import { createWorkers, type WorkerSet } from '../src/workers';
import {
  startHarness,
  trackingEventJob,
  waitForJobState,
  waitUntilQuiet,
  type WorkerHarness,
} from './harness';
import { startSink, type Sink } from './sink';

/**
 * What reconciliation tests share: a fake Starshipit API and a source-system sink on local
 * ports, a harness (own database and queue prefix) wired to both, and workers that ingest
 * and deliver what a run finds, exactly as in production.
 */
export interface ReconcileFixture {
  readonly fake: FakeStarshipit;
  readonly sink: Sink;
  readonly harness: WorkerHarness;
  readonly workers: WorkerSet | null;
  /** What the reconcile-run processor passes to runReconciliation. */
  readonly deps: ReconcileDeps;
  /** One run with the harness' own client, as the processor would make it. */
  run(trigger?: 'schedule' | 'manual'): ReturnType<typeof runReconciliation>;
  /** Stores a webhook through the ingest queue and waits until it is recorded. */
  ingestWebhook(payload: JsonObject): Promise<RecordResult>;
  /** Waits until nothing is left to ingest or deliver. */
  settle(timeoutMs?: number): Promise<void>;
  eventsOf(trackingNumber: string): Promise<(typeof trackingEvents.$inferSelect)[]>;
  deliveriesOf(trackingNumber: string): Promise<(typeof deliveries.$inferSelect)[]>;
  shipmentOf(trackingNumber: string): Promise<typeof shipments.$inferSelect | undefined>;
  close(): Promise<void>;
}

export const SINK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

export interface ReconcileFixtureOptions {
  /** Added to (or overriding) the worker settings. */
  readonly env?: Readonly<Record<string, string>>;
  /** Start ingest and delivery workers (default true). */
  readonly workers?: boolean;
}

export async function startReconcileFixture(
  options: ReconcileFixtureOptions = {},
): Promise<ReconcileFixture> {
  const fake = await startFakeStarshipit();
  const sink = await startSink();
  const harness = await startHarness({
    STARSHIPIT_API_URL: fake.url,
    STARSHIPIT_API_KEY: fake.apiKey,
    STARSHIPIT_SUBSCRIPTION_KEY: fake.subscriptionKey,
    // Tests that are not about the budget should not wait for it.
    STARSHIPIT_RATE_LIMIT_PER_SEC: '50',
    SOURCE_ADAPTER: 'http',
    SOURCE_HTTP_URL: sink.url,
    SOURCE_HTTP_SECRET: SINK_SECRET,
    SOURCE_HTTP_TIMEOUT_MS: '3000',
    DELIVERY_BACKOFF_MS: '50',
    ...options.env,
  });
  const client = harness.starshipit;
  if (!client) throw new Error('the harness made no Starshipit client: check the env');
  const workers = options.workers === false ? null : createWorkers(harness);
  const deps: ReconcileDeps = {
    ...harness,
    client,
    timeZone: harness.config.STARSHIPIT_TIMEZONE,
    staleAfterMs: harness.config.STALE_AFTER,
  };
  const db = harness.db;

  return {
    fake,
    sink,
    harness,
    workers,
    deps,
    run: (trigger = 'manual') => runReconciliation(deps, trigger),
    async ingestWebhook(payload) {
      const job = trackingEventJob(payload);
      await enqueue(harness.queues, 'tracking-event', job);
      const done = await waitForJobState(harness.queues.ingest, job.eventId, 'completed');
      return done.returnvalue as RecordResult;
    },
    settle: (timeoutMs) => waitUntilQuiet(harness, timeoutMs),
    eventsOf: (trackingNumber) =>
      db
        .select()
        .from(trackingEvents)
        .where(eq(trackingEvents.trackingNumber, trackingNumber))
        .orderBy(asc(trackingEvents.id)),
    deliveriesOf: (trackingNumber) =>
      db
        .select()
        .from(deliveries)
        .where(eq(deliveries.trackingNumber, trackingNumber))
        .orderBy(asc(deliveries.seq)),
    async shipmentOf(trackingNumber) {
      const [row] = await db
        .select()
        .from(shipments)
        .where(eq(shipments.trackingNumber, trackingNumber));
      return row;
    },
    async close() {
      await workers?.close();
      await harness.close();
      await sink.stop();
      await fake.close();
    },
  };
}

/** Stores a webhook straight into the event log, as the ingest processor would (no jobs). */
export async function recordWebhook(db: Database, payload: JsonObject): Promise<RecordResult> {
  const job = trackingEventJob(payload);
  return recordTrackingEvent(db, { ...job, receivedAt: new Date(job.receivedAt) });
}

export function newTrackingNumber(prefix = 'RC'): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 12).toUpperCase()}`;
}

/** Whole seconds, as carriers report them, so a zone-less copy names the same instant. */
export function minutesAgo(minutes: number): Date {
  return new Date(Math.floor((Date.now() - minutes * 60_000) / 1000) * 1000);
}

/** Starshipit's zone-less form (`2026-06-12T09:15:00`), read in the account's zone (UTC here). */
export function zoneless(at: Date): string {
  return at.toISOString().slice(0, 19);
}

/** A webhook body for one shipment. */
export function webhookPayload(fields: {
  trackingNumber: string;
  status: string;
  at: string;
  orderNumber?: string;
}): JsonObject {
  return {
    order_number: fields.orderNumber ?? `SO-${fields.trackingNumber}`,
    tracking_number: fields.trackingNumber,
    tracking_status: fields.status,
    last_updated_date: fields.at,
    carrier_name: 'Australia Post',
    carrier_service: '7B05',
    shipment_date: '2026-06-10T02:03:42.154Z',
  };
}

let nextOrderId = 712_600_000;

/**
 * A `/api/orders/shipped` row as the reference fixture shapes it. A null status stands for
 * an order whose parcel has no tracking status yet: reconciliation skips such rows.
 */
export function shippedRow(fields: {
  trackingNumber: string;
  status: string | null;
  orderNumber?: string;
  shippedDate?: string;
  updatedAt?: string;
}): FakeShippedOrder {
  nextOrderId += 1;
  return {
    order_id: nextOrderId,
    order_date: '2026-06-09T23:10:05',
    shipped_date: fields.shippedDate ?? '2026-06-10T02:03:42.154Z',
    order_number: fields.orderNumber ?? `SO-${fields.trackingNumber}`,
    reference: `REF-${fields.trackingNumber}`,
    carrier: 'AusPost',
    carrier_name: 'Australia Post',
    carrier_service_code: '7B05',
    carrier_service_name: 'Parcel Post',
    tracking_number: fields.trackingNumber,
    tracking_short_status: fields.status,
    tracking_full_status: fields.status ?? '',
    ...(fields.updatedAt === undefined ? {} : { updatedAt: fields.updatedAt }),
  };
}

/** Shipped rows without a tracking status: they fill pages but cost no `/api/track` call. */
export function fillerRows(count: number, updatedAt?: string): FakeShippedOrder[] {
  return Array.from({ length: count }, () =>
    shippedRow({ trackingNumber: newTrackingNumber('FILL'), status: null, updatedAt }),
  );
}

/** A `/api/track` result in the documented (zone-less, spaced status) style. */
export function trackResult(fields: {
  trackingNumber: string;
  status: string;
  lastUpdated: string;
  orderNumber?: string;
}): JsonObject {
  return {
    order_number: fields.orderNumber ?? `SO-${fields.trackingNumber}`,
    order_status: fields.status,
    carrier_name: 'Australia Post',
    carrier_service: '7B05',
    carrier_service_code: '7B05',
    tracking_number: fields.trackingNumber,
    shipment_date: '2026-06-10T12:03:42.1543701',
    tracking_status: fields.status,
    last_updated_date: fields.lastUpdated,
    tracking_events: [],
  };
}

/**
 * The page the fake would serve for `page` of its shipped orders (client's limit, 250), so a
 * test can script it and fail only a later page: scripted answers match by path alone.
 */
export function shippedPageAnswer(fake: FakeStarshipit, page: number, limit = 250) {
  const rows = fake.shippedOrders.map((row) =>
    Object.fromEntries(Object.entries(row).filter(([key]) => key !== 'updatedAt')),
  );
  return {
    status: 200,
    path: '/api/orders/shipped',
    body: {
      orders: rows.slice((page - 1) * limit, page * limit),
      total_pages: Math.ceil(rows.length / limit),
      success: true,
    },
  };
}

export function requestsTo(fake: FakeStarshipit, path: string): RecordedRequest[] {
  return fake.requests.filter((request) => request.path === path);
}

/** Tracking numbers the fake was asked about on `/api/track`, in order. */
export function trackedNumbers(fake: FakeStarshipit): string[] {
  return requestsTo(fake, '/api/track').map(
    (request) => request.query.get('tracking_number') ?? '',
  );
}

/**
 * The most arrivals within any span of `windowMs`: every arrival is tried as a window's
 * start, so every pair of arrivals is compared.
 */
export function busiestWindow(arrivals: readonly number[], windowMs: number): number {
  return Math.max(
    0,
    ...arrivals.map(
      (start) => arrivals.filter((at) => at >= start && at < start + windowMs).length,
    ),
  );
}
