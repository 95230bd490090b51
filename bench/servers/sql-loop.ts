/**
 * Case 2(a): exactly the statements recordTrackingEvent (packages/db/src/queries/
 * record-tracking-event.ts) sends for a new event of a new shipment, through plain `pg`, with
 * the worker's concurrency and pool size. No BullMQ, no projection logic: the floor the
 * worker's ingest path is compared against.
 *
 * With BATCH > 1, case 2(d): the group commit's SQL alone — recordTrackingEventBatch over
 * batches of BATCH events, CONCURRENCY batches at once, no BullMQ.
 *
 * Env: DATABASE_URL, EVENTS, CONCURRENCY, TAG, BATCH. Prints one JSON line `{"sqlLoop":{…}}`.
 */
import {
  createDb,
  newDeliveryId,
  READ_SHIPMENT,
  recordTrackingEventBatch,
  WRITE_EVENT,
  writeEventValues,
  type Database,
} from '@tracksync/db';
import { projectHistory } from '@tracksync/domain';
import type pg from 'pg';
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
      outbox: [{ deliveryId: newDeliveryId(), destination: 'default', status: 'pending' }],
    }),
  );
}

/** BATCH new events of new shipments in one group commit, as the worker's batches go. */
async function recordBatch(db: Database, jobs: readonly ReturnType<typeof trackingEventJob>[]) {
  const settled = await recordTrackingEventBatch(
    db,
    jobs.map((job) => ({ ...job, receivedAt: new Date(job.receivedAt) })),
  );
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
}

async function main(): Promise<void> {
  const events = Number(process.env.EVENTS);
  const concurrency = Number(process.env.CONCURRENCY);
  const batch = Number(process.env.BATCH ?? 1);
  const tag = process.env.TAG ?? 'sql';
  const jobs = Array.from({ length: events }, (_, i) => trackingEventJob(`SQL-${tag}-${i}`, i));
  // The worker's pool: two lanes of WORKER_CONCURRENCY (ingest, delivery) plus four spare.
  const handle = createDb(process.env.DATABASE_URL ?? '', { max: 2 * concurrency + 4 });
  let next = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next; i < jobs.length; i = next) {
        next += batch;
        const job = jobs[i];
        if (batch > 1) await recordBatch(handle.db, jobs.slice(i, i + batch));
        else if (job) await recordOne(handle.pool, job);
      }
    }),
  );
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpuBefore);
  const cpuMs = (used.user + used.system) / 1000;
  await handle.close();
  const result = { events, concurrency, batch, wallMs, cpuMs };
  process.stdout.write(`${JSON.stringify({ sqlLoop: result })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`sql-loop: ${String(err)}\n`);
  process.exit(1);
});
