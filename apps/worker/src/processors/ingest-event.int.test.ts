import { freePort } from '@tracksync/test-support';
import { createDb, shipments, trackingEvents } from '@tracksync/db';
import { enqueue, JOBS } from '@tracksync/queue';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GUIDE_EXAMPLE_PAYLOAD,
  startHarness,
  trackingEventJob,
  waitFor,
  waitForJobState,
  type WorkerHarness,
} from '../../test/harness';
import { createWorkers, type WorkerSet } from '../workers';

describe('tracking-event processor', () => {
  let harness: WorkerHarness;
  let workers: WorkerSet;

  beforeAll(async () => {
    harness = await startHarness();
    workers = createWorkers({ ...harness, db: harness.database.db });
  });

  afterAll(async () => {
    await workers.close();
    await harness.close();
  });

  const eventRows = () => harness.database.db.select({ rows: count() }).from(trackingEvents);

  it("stores the guide's example payload as one event and one shipment", async () => {
    const job = trackingEventJob(GUIDE_EXAMPLE_PAYLOAD);
    const jobId = await enqueue(harness.queues, 'tracking-event', job);
    const done = await waitForJobState(harness.queues.ingest, jobId, 'completed');

    expect(jobId).toBe(job.eventId);
    expect(done.returnvalue).toMatchObject({ result: 'applied', before: null });
    const events = await harness.database.db
      .select()
      .from(trackingEvents)
      .where(eq(trackingEvents.trackingNumber, 'TESTTRACK123'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventId: job.eventId,
      source: 'webhook',
      orderNumber: 'API-TEST-1001',
      trackingNumber: 'TESTTRACK123',
      trackingStatus: 'Dispatched',
      statusKnown: true,
      lastUpdatedDate: '2026-06-18T09:35:00Z',
      lastUpdatedAt: new Date('2026-06-18T09:35:00Z'),
      shipmentDate: '2026-06-18T09:30:00Z',
      carrierName: 'Australia Post',
      carrierService: '7B05',
      payload: GUIDE_EXAMPLE_PAYLOAD,
      result: 'applied',
      receivedAt: new Date(job.receivedAt),
    });
    const shipment = await harness.database.db
      .select()
      .from(shipments)
      .where(eq(shipments.trackingNumber, 'TESTTRACK123'));
    expect(shipment).toEqual([
      expect.objectContaining({
        orderNumber: 'API-TEST-1001',
        trackingStatus: 'Dispatched',
        lastUpdatedDate: '2026-06-18T09:35:00Z',
        carrierName: 'Australia Post',
        carrierService: '7B05',
        shipmentDate: '2026-06-18T09:30:00Z',
        lastEventId: job.eventId,
      }),
    ]);
  });

  it('logs one line per event with the fields the guide asks for', async () => {
    const line = await waitFor('the event line', () =>
      harness.lines.find((entry) => entry.msg === 'event recorded'),
    );
    expect(harness.lines.filter((entry) => entry.msg === 'event recorded')).toHaveLength(1);
    expect(line).toMatchObject({
      eventTimestamp: '2026-06-18T09:35:00Z',
      orderNumber: 'API-TEST-1001',
      starshipitOrderId: null,
      trackingNumber: 'TESTTRACK123',
      carrierName: 'Australia Post',
      carrierService: '7B05',
      trackingStatus: 'Dispatched',
      statusKnown: true,
      source: 'webhook',
      eventId: trackingEventJob(GUIDE_EXAMPLE_PAYLOAD).eventId,
      result: 'applied',
    });
  });

  it('reports a duplicate and writes nothing when Redis has forgotten a stored event', async () => {
    const job = trackingEventJob(GUIDE_EXAMPLE_PAYLOAD, 'poll');
    // Completed jobs are trimmed after a day; the database must still recognise the event.
    await harness.queues.ingest.remove(job.eventId);
    const jobId = await enqueue(harness.queues, 'tracking-event', job);
    const done = await waitForJobState(harness.queues.ingest, jobId, 'completed');

    expect(done.returnvalue).toEqual({ result: 'duplicate' });
    expect(await eventRows()).toEqual([{ rows: 1 }]);
  });

  it('stores an event with an unknown status and flags it in the log', async () => {
    const job = trackingEventJob({
      ...GUIDE_EXAMPLE_PAYLOAD,
      tracking_number: 'TESTTRACK-UNKNOWN',
      tracking_status: 'HeldAtCustoms',
    });
    await enqueue(harness.queues, 'tracking-event', job);
    await waitForJobState(harness.queues.ingest, job.eventId, 'completed');

    const [row] = await harness.database.db
      .select()
      .from(trackingEvents)
      .where(eq(trackingEvents.eventId, job.eventId));
    expect(row).toMatchObject({ trackingStatus: 'HeldAtCustoms', statusKnown: false });
    const line = harness.lines.find((entry) => entry.eventId === job.eventId);
    expect(line).toMatchObject({ level: 40, statusKnown: false, result: 'applied' });
    expect((await harness.metrics.unknownStatusEvents.get()).values[0]?.value).toBe(1);
  });

  it('fails a job whose data breaks the catalog at once, without retrying or writing', async () => {
    const before = await eventRows();
    // Straight onto the queue, as a producer on another version of the catalog might.
    await harness.queues.ingest.add(
      'tracking-event',
      { eventId: 'not-a-hash', source: 'webhook' },
      { ...JOBS['tracking-event'].options, jobId: 'invalid-tracking-event' },
    );
    const failed = await waitForJobState(harness.queues.ingest, 'invalid-tracking-event', 'failed');

    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/^invalid tracking-event job data: eventId: /);
    expect(await eventRows()).toEqual(before);
  });

  it('fails a job that belongs to another queue instead of guessing a handler', async () => {
    await harness.queues.ingest.add(
      'parked-payload',
      { reason: 'invalid_json', body: '{', issues: [], receivedAt: new Date().toISOString() },
      { jobId: 'misrouted-job' },
    );
    const failed = await waitForJobState(harness.queues.ingest, 'misrouted-job', 'failed');

    expect(failed.failedReason).toBe('no processor for job "parked-payload" on queue ingest');
  });

  it('commits a burst of events in group commits, completing each job only once its event is stored', async () => {
    const burst = Array.from({ length: 60 }, (_, i) =>
      trackingEventJob({
        order_number: `SO-BURST-${i}`,
        tracking_number: `BURST-${i}`,
        tracking_status: 'Printed',
        last_updated_date: '2026-06-18T09:00:00Z',
      }),
    );
    const batchSizes = () => harness.metrics.ingestBatchSize.get();
    const before = await batchSizes();
    const storedWhenCompleted: boolean[] = [];
    const checks: Promise<void>[] = [];
    const onCompleted = (job: { id?: string }) => {
      const check = harness.database.db
        .select({ rows: count() })
        .from(trackingEvents)
        .where(eq(trackingEvents.eventId, job.id ?? ''))
        .then(([row]) => {
          storedWhenCompleted.push(row?.rows === 1);
        });
      checks.push(check);
    };
    workers.workers.ingest.on('completed', onCompleted);
    try {
      await Promise.all(burst.map((job) => enqueue(harness.queues, 'tracking-event', job)));
      await waitFor('every job of the burst to complete', () => checks.length >= burst.length);
      await Promise.all(checks);
    } finally {
      workers.workers.ingest.off('completed', onCompleted);
    }
    expect(storedWhenCompleted).toEqual(burst.map(() => true));
    const after = await batchSizes();
    const total = (read: typeof after, name: string) =>
      read.values.find((v) => v.metricName?.endsWith(name))?.value ?? 0;
    const commits = total(after, '_count') - total(before, '_count');
    const events = total(after, '_sum') - total(before, '_sum');
    expect(events).toBe(burst.length);
    expect(commits).toBeLessThan(burst.length);
  });
});

describe('tracking-event processor while Postgres is down', () => {
  let harness: WorkerHarness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  it('fails the job for a retry, writes nothing, and succeeds once Postgres answers', async () => {
    const deadDatabase = createDb(`postgres://postgres@127.0.0.1:${await freePort()}/gone`, {
      connectionTimeoutMillis: 500,
    });
    const broken = createWorkers({ ...harness, db: deadDatabase.db });
    const job = trackingEventJob(GUIDE_EXAMPLE_PAYLOAD);
    await enqueue(harness.queues, 'tracking-event', job);

    const retrying = await waitForJobState(harness.queues.ingest, job.eventId, 'delayed');
    await broken.close();
    await deadDatabase.close();
    expect(retrying.failedReason).toMatch(/ECONNREFUSED/);
    expect(retrying.attemptsMade).toBeGreaterThanOrEqual(1);
    expect(harness.lines).toContainEqual(
      expect.objectContaining({ msg: 'job failed, will retry', jobId: job.eventId, final: false }),
    );
    expect(await harness.database.db.select().from(trackingEvents)).toEqual([]);

    const healthy = createWorkers({ ...harness, db: harness.database.db });
    try {
      const done = await waitForJobState(harness.queues.ingest, job.eventId, 'completed');
      expect(done.returnvalue).toMatchObject({ result: 'applied' });
      expect(await harness.database.db.select().from(trackingEvents)).toHaveLength(1);
    } finally {
      await healthy.close();
    }
  });
});
