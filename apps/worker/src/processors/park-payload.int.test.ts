import { parkedPayloads } from '@tracksync/db';
import { enqueue, JOBS, type ParkedPayloadJob } from '@tracksync/queue';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, waitForJobState, type WorkerHarness } from '../../test/harness';
import { createWorkers, type WorkerSet } from '../workers';

describe('parked-payload processor', () => {
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

  const parked: ParkedPayloadJob = {
    reason: 'invalid_payload',
    body: '{"order_number":"API-TEST-1001","tracking_status":"Dispatched"}',
    issues: [{ path: 'tracking_number', message: 'Invalid input: expected string' }],
    receivedAt: '2026-06-18T09:35:01.000Z',
  };
  const bodyHash = createHash('sha256').update(parked.body).digest('hex');

  it('keeps the rejected body whole, under the sha256 of the body', async () => {
    const jobId = await enqueue(harness.queues, 'parked-payload', parked);
    const done = await waitForJobState(harness.queues.parked, jobId, 'completed');

    expect(jobId).toBe(bodyHash);
    expect(done.returnvalue).toEqual({ parkedId: bodyHash, stored: true });
    expect(await harness.database.db.select().from(parkedPayloads)).toEqual([
      expect.objectContaining({
        parkedId: bodyHash,
        reason: 'invalid_payload',
        body: parked.body,
        issues: parked.issues,
        receivedAt: new Date(parked.receivedAt),
      }),
    ]);
  });

  it('keeps a body once even when it comes back under other job ids, twice at once', async () => {
    // The catalog's job id already dedups in Redis; these ids bypass it, as after trimming.
    const options = JOBS['parked-payload'].options;
    await Promise.all([
      harness.queues.parked.add('parked-payload', parked, { ...options, jobId: 'again-1' }),
      harness.queues.parked.add('parked-payload', parked, { ...options, jobId: 'again-2' }),
    ]);
    const outcomes = await Promise.all(
      ['again-1', 'again-2'].map((id) => waitForJobState(harness.queues.parked, id, 'completed')),
    );

    expect(outcomes.map((job) => job.returnvalue as unknown)).toEqual([
      { parkedId: bodyHash, stored: false },
      { parkedId: bodyHash, stored: false },
    ]);
    expect(await harness.database.db.select().from(parkedPayloads)).toHaveLength(1);
    const counted = await harness.metrics.parkedPayloads.get();
    expect(Object.fromEntries(counted.values.map((v) => [v.labels.outcome, v.value]))).toEqual({
      stored: 1,
      duplicate: 2,
    });
  });
});
