import { trackingEvents } from '@tracksync/db';
import { enqueue } from '@tracksync/queue';
import { eq } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GUIDE_EXAMPLE_PAYLOAD,
  startHarness,
  trackingEventJob,
  waitForJobState,
  type WorkerHarness,
} from '../test/harness';
import { createWorkers } from './workers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createWorkers shutdown', () => {
  let harness: WorkerHarness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  /**
   * Blocks every write to `shipments` from another session (SHARE conflicts with the ROW
   * EXCLUSIVE lock an insert or update takes), so the job that records an event stays in
   * flight until `release` is called.
   */
  async function holdShipmentWrites() {
    const session: pg.PoolClient = await harness.database.pool.connect();
    await session.query('begin');
    await session.query('lock table shipments in share mode');
    return async () => {
      await session.query('commit');
      session.release();
    };
  }

  const storedEvent = (eventId: string) =>
    harness.database.db.select().from(trackingEvents).where(eq(trackingEvents.eventId, eventId));

  it('waits for the job in flight to finish before it resolves', async () => {
    const workers = createWorkers({ ...harness, db: harness.database.db });
    const release = await holdShipmentWrites();
    const inFlight = trackingEventJob({ ...GUIDE_EXAMPLE_PAYLOAD, tracking_number: 'SHUTDOWN-1' });
    await enqueue(harness.queues, 'tracking-event', inFlight);
    await waitForJobState(harness.queues.ingest, inFlight.eventId, 'active');

    let closed = false;
    const closing = workers.close(10_000).then(() => {
      closed = true;
    });
    await sleep(300);
    expect(closed).toBe(false);
    expect(await storedEvent(inFlight.eventId)).toEqual([]);

    await release();
    await closing;
    expect(await harness.queues.ingest.getJobState(inFlight.eventId)).toBe('completed');
    expect(await storedEvent(inFlight.eventId)).toHaveLength(1);
  });

  it('returns at the deadline while a job is still running, leaving it active', async () => {
    const workers = createWorkers({ ...harness, db: harness.database.db });
    const release = await holdShipmentWrites();
    const stuck = trackingEventJob({ ...GUIDE_EXAMPLE_PAYLOAD, tracking_number: 'SHUTDOWN-2' });
    await enqueue(harness.queues, 'tracking-event', stuck);
    await waitForJobState(harness.queues.ingest, stuck.eventId, 'active');

    const started = performance.now();
    await workers.close(200);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await harness.queues.ingest.getJobState(stuck.eventId)).toBe('active');
    expect(harness.lines).toContainEqual(
      expect.objectContaining({ msg: 'jobs still running at the deadline, left to recovery' }),
    );

    await release();
    // BullMQ's own close is still under way; let it end before the connections go.
    await Promise.all(Object.values(workers.workers).map((worker) => worker.close()));
    expect(await harness.queues.ingest.getJobState(stuck.eventId)).toBe('completed');
  });
});
