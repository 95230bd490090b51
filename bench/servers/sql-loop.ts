/**
 * Case 2(a): exactly the statements recordTrackingEvent (packages/db/src/queries/
 * record-tracking-event.ts) sends for a new event of a new shipment, through plain `pg`, with
 * the worker's concurrency and pool size. No BullMQ, no projection logic: the floor the
 * worker's ingest path is compared against.
 *
 * Env: DATABASE_URL, EVENTS, CONCURRENCY, TAG. Prints one JSON line `{"sqlLoop":{…}}`.
 */
import { newDeliveryId, READ_SHIPMENT, WRITE_EVENT, writeEventValues } from '@tracksync/db';
import { projectHistory } from '@tracksync/domain';
import pg from 'pg';
import { trackingEventJob } from '../lib/payloads';

/**
 * One event of a new shipment, as the worker records it (packages/db recordTrackingEvent's
 * lock-free round): read the shipment, then one atomic write. The statements are imported, not
 * copied, so this loop and the worker cannot drift apart.
 */
async function recordOne(pool: pg.Pool, job: ReturnType<typeof trackingEventJob>): Promise<void> {
  const { event, eventId } = job;
  await pool.query(READ_SHIPMENT, [event.trackingNumber]);
  // A new shipment's state is its one event, as the worker's projection makes it.
  const shipment = projectHistory([{ eventId, event }]);
  if (!shipment) throw new Error('one event always projects a state');
  await pool.query(
    WRITE_EVENT,
    writeEventValues({
      eventId,
      source: job.source,
      receivedAt: new Date(job.receivedAt),
      event,
      payload: job.payload,
      result: 'applied',
      shipment,
      changed: true,
      expectedRevision: null,
      deliveryId: newDeliveryId(),
    }),
  );
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
