import type { Queues, TrackingEventJob } from '@tracksync/queue';
import { describe, expect, it } from 'vitest';
import { createTrackingEventBatcher } from './enqueue-batch';

function eventJob(n: number): TrackingEventJob {
  return {
    eventId: n.toString(16).padStart(64, '0'),
    source: 'webhook',
    receivedAt: '2026-06-18T09:35:01.000Z',
    event: {
      orderNumber: `SO-${n}`,
      trackingNumber: `T-${n}`,
      trackingStatus: 'Dispatched',
      statusKnown: true,
      lastUpdatedDate: '2026-06-18T09:35:00Z',
      shipmentDate: null,
      carrierName: null,
      carrierService: null,
      orderReference: null,
    },
    payload: { tracking_number: `T-${n}` },
  };
}

/** Just the two calls the batcher makes, recording what each was given. */
function fakeQueues(fail?: Error) {
  const calls: { method: 'add' | 'addBulk'; jobIds: string[] }[] = [];
  const settle = () => (fail === undefined ? Promise.resolve() : Promise.reject(fail));
  const ingest = {
    add: (_name: string, _data: unknown, opts: { jobId: string }) => {
      calls.push({ method: 'add', jobIds: [opts.jobId] });
      return settle();
    },
    addBulk: (jobs: { opts: { jobId: string } }[]) => {
      calls.push({ method: 'addBulk', jobIds: jobs.map((job) => job.opts.jobId) });
      return settle();
    },
  };
  return { queues: { ingest } as unknown as Queues, calls };
}

describe('createTrackingEventBatcher', () => {
  it('adds the events of one event-loop turn in one addBulk, each under its dedup key', async () => {
    const { queues, calls } = fakeQueues();
    const enqueue = createTrackingEventBatcher(queues);
    const outcomes = await Promise.all([1, 2, 3].map((n) => enqueue(eventJob(n))));
    expect(calls).toEqual([
      { method: 'addBulk', jobIds: [1, 2, 3].map((n) => eventJob(n).eventId) },
    ]);
    expect(outcomes).toEqual([1, 2, 3].map((n) => ({ ok: true, jobId: eventJob(n).eventId })));
  });

  it('adds a lone event with a plain add, and later events in a batch of their own', async () => {
    const { queues, calls } = fakeQueues();
    const enqueue = createTrackingEventBatcher(queues);
    await enqueue(eventJob(1));
    await Promise.all([enqueue(eventJob(2)), enqueue(eventJob(3))]);
    expect(calls.map((call) => [call.method, call.jobIds.length])).toEqual([
      ['add', 1],
      ['addBulk', 2],
    ]);
  });

  it('reports a failed batch to every event in it, as Redis trouble', async () => {
    const down = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    const { queues } = fakeQueues(down);
    const enqueue = createTrackingEventBatcher(queues);
    const outcomes = await Promise.all([1, 2].map((n) => enqueue(eventJob(n))));
    expect(outcomes).toEqual([
      { ok: false, error: down },
      { ok: false, error: down },
    ]);
  });
});
