import { listReconcileRuns } from '@tracksync/db';
import { enqueue } from '@tracksync/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installReconcileSchedule } from '../../src/schedules';
import { waitFor } from '../harness';
import {
  minutesAgo,
  newTrackingNumber,
  shippedRow,
  startReconcileFixture,
  trackedNumbers,
  trackResult,
  webhookPayload,
  zoneless,
  type ReconcileFixture,
} from '../reconcile-fixture';
import { useRedisCluster } from './cluster';

const HOUR_MS = 3_600_000;

describe('reconciliation on a three-node Redis Cluster', () => {
  const redis = useRedisCluster();
  let fx: ReconcileFixture;

  beforeAll(async () => {
    fx = await startReconcileFixture({ env: redis.env });
  });

  afterAll(async () => {
    await fx.close();
  });

  const finishedRuns = (count: number) =>
    waitFor(
      `${count} finished runs`,
      async () => {
        const runs = await listReconcileRuns(fx.harness.db, 10);
        return runs.length === count && runs.every((run) => run.finishedAt) ? runs : null;
      },
      15_000,
    );

  it('runs the scheduled job, stores what webhooks missed as poll events and delivers each once', async () => {
    const known = newTrackingNumber();
    const missed = [newTrackingNumber(), newTrackingNumber()];
    const at = zoneless(minutesAgo(30));
    await fx.ingestWebhook(webhookPayload({ trackingNumber: known, status: 'InTransit', at }));
    fx.fake.shippedOrders = [
      shippedRow({ trackingNumber: known, status: 'InTransit' }),
      ...missed.map((trackingNumber) => shippedRow({ trackingNumber, status: 'Delivered' })),
    ];
    fx.fake.tracks = missed.map((trackingNumber) =>
      trackResult({ trackingNumber, status: 'Delivered', lastUpdated: at }),
    );

    await installReconcileSchedule(fx.harness.queues, {
      enabled: true,
      everyMs: HOUR_MS,
      log: fx.harness.log,
    });
    const [run] = await finishedRuns(1);
    await fx.settle();

    expect(run).toMatchObject({ trigger: 'schedule', status: 'succeeded', eventsFound: 2 });
    expect(trackedNumbers(fx.fake).sort()).toEqual([...missed].sort());
    for (const trackingNumber of missed) {
      const events = await fx.eventsOf(trackingNumber);
      expect(events.map((event) => [event.source, event.trackingStatus])).toEqual([
        ['poll', 'Delivered'],
      ]);
      expect(fx.sink.requestsFor(trackingNumber)).toHaveLength(1);
    }
    expect(await fx.eventsOf(known)).toHaveLength(1);
    expect(await fx.harness.queues.reconcile.getJobSchedulers()).toHaveLength(1);
    expect(await fx.harness.queues.reconcile.getGlobalConcurrency()).toBe(1);
  });

  it('finds nothing new on a manual run right after, and delivers nothing again', async () => {
    const delivered = fx.sink.requests.length;
    await enqueue(fx.harness.queues, 'reconcile-run', { trigger: 'manual' });
    const [latest] = await finishedRuns(2);
    await fx.settle();

    expect(latest).toMatchObject({ trigger: 'manual', status: 'succeeded', eventsFound: 0 });
    expect(fx.sink.requests).toHaveLength(delivered);
  });
});
