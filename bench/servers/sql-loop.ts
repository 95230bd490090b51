/**
 * Case 2(a): exactly the statements recordTrackingEvent (packages/db/src/queries/
 * tracking-events.ts) sends for a new event of a new shipment, as drizzle renders them,
 * through plain `pg`, with the worker's concurrency and pool size. No BullMQ, no drizzle, no
 * projection logic: the floor the worker's ingest path is compared against.
 *
 * Env: DATABASE_URL, EVENTS, CONCURRENCY, TAG. Prints one JSON line `{"sqlLoop":{…}}`.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { trackingEventJob } from '../lib/payloads';

export const SQL = {
  lock: 'select pg_advisory_xact_lock(hashtextextended($1, 0))',
  history:
    'select "id", "event_id", "source", "order_number", "tracking_number", "tracking_status", "status_known", "last_updated_date", "last_updated_at", "shipment_date", "carrier_name", "carrier_service", "order_reference", "payload", "result", "received_at", "stored_at" from "tracking_events" where "tracking_events"."tracking_number" = $1',
  shipment:
    'select "tracking_number", "order_number", "order_reference", "carrier_name", "carrier_service", "shipment_date", "tracking_status", "last_updated_date", "last_updated_at", "last_event_id", "source_order_id", "unmatched_since", "last_polled_at", "created_at", "updated_at" from "shipments" where "shipments"."tracking_number" = $1',
  insertEvent:
    'insert into "tracking_events" ("id", "event_id", "source", "order_number", "tracking_number", "tracking_status", "status_known", "last_updated_date", "last_updated_at", "shipment_date", "carrier_name", "carrier_service", "order_reference", "payload", "result", "received_at", "stored_at") values (default, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, default) on conflict ("event_id") do nothing returning "id"',
  upsertShipment:
    'insert into "shipments" ("tracking_number", "order_number", "order_reference", "carrier_name", "carrier_service", "shipment_date", "tracking_status", "last_updated_date", "last_updated_at", "last_event_id", "source_order_id", "unmatched_since", "last_polled_at", "created_at", "updated_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, default, default, default, default, $11) on conflict ("tracking_number") do update set "tracking_number" = $12, "order_number" = $13, "order_reference" = $14, "carrier_name" = $15, "carrier_service" = $16, "shipment_date" = $17, "tracking_status" = $18, "last_updated_date" = $19, "last_updated_at" = $20, "last_event_id" = $21, "updated_at" = $22',
  insertDelivery:
    'insert into "deliveries" ("delivery_id", "seq", "tracking_number", "event_id", "reason", "state", "status", "attempts", "last_error", "last_http_status", "received_at", "created_at", "finished_at") values ($1, default, $2, $3, $4, $5, default, default, default, default, $6, default, default)',
} as const;

async function recordOne(pool: pg.Pool, job: ReturnType<typeof trackingEventJob>): Promise<void> {
  const { event, eventId } = job;
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(SQL.lock, [event.trackingNumber]);
    await client.query(SQL.history, [event.trackingNumber]);
    await client.query(SQL.shipment, [event.trackingNumber]);
    const lastUpdatedAt = new Date(event.lastUpdatedDate).toISOString();
    await client.query(SQL.insertEvent, [
      eventId,
      job.source,
      event.orderNumber,
      event.trackingNumber,
      event.trackingStatus,
      event.statusKnown,
      event.lastUpdatedDate,
      lastUpdatedAt,
      event.shipmentDate,
      event.carrierName,
      event.carrierService,
      event.orderReference,
      JSON.stringify(job.payload),
      'applied',
      job.receivedAt,
    ]);
    const state = {
      trackingNumber: event.trackingNumber,
      orderNumber: event.orderNumber,
      orderReference: event.orderReference,
      carrierName: event.carrierName,
      carrierService: event.carrierService,
      shipmentDate: event.shipmentDate,
      trackingStatus: event.trackingStatus,
      lastUpdatedDate: event.lastUpdatedDate,
      lastEventId: eventId,
    };
    const row = [
      state.trackingNumber,
      state.orderNumber,
      state.orderReference,
      state.carrierName,
      state.carrierService,
      state.shipmentDate,
      state.trackingStatus,
      state.lastUpdatedDate,
      lastUpdatedAt,
      state.lastEventId,
    ];
    const updatedAt = new Date().toISOString();
    await client.query(SQL.upsertShipment, [...row, updatedAt, ...row, updatedAt]);
    await client.query(SQL.insertDelivery, [
      `dlv_${randomUUID().replaceAll('-', '')}`,
      event.trackingNumber,
      eventId,
      'change',
      JSON.stringify(state),
      job.receivedAt,
    ]);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function main(): Promise<void> {
  const events = Number(process.env.EVENTS);
  const concurrency = Number(process.env.CONCURRENCY);
  const tag = process.env.TAG ?? 'sql';
  const jobs = Array.from({ length: events }, (_, i) => trackingEventJob(`SQL-${tag}-${i}`, i));
  // The worker's pool: two lanes of WORKER_CONCURRENCY (ingest, delivery) plus four spare.
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: 2 * concurrency + 4,
    connectionTimeoutMillis: 5_000,
  });
  let next = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < jobs.length; i = next++) {
        const job = jobs[i];
        if (job) await recordOne(pool, job);
      }
    }),
  );
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpuBefore);
  const cpuMs = (used.user + used.system) / 1000;
  await pool.end();
  process.stdout.write(`${JSON.stringify({ sqlLoop: { events, concurrency, wallMs, cpuMs } })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`sql-loop: ${String(err)}\n`);
  process.exit(1);
});
