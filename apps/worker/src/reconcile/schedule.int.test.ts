import { listReconcileRuns } from '@tracksync/db';
import { createWorkerConnection, enqueue, RECONCILE_SCHEDULER_ID } from '@tracksync/queue';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installReconcileSchedule } from '../schedules';
import { waitFor } from '../../test/harness';
import { startReconcileFixture, type ReconcileFixture } from '../../test/reconcile-fixture';
import { createWorkers, type WorkerSet } from '../workers';
import { createStarshipitFromConfig } from './starshipit';

const HOUR_MS = 3_600_000;

let fx: ReconcileFixture;
const connections: Redis[] = [];
const workerSets: WorkerSet[] = [];

beforeAll(async () => {
  fx = await startReconcileFixture({ workers: false });
});

afterAll(async () => {
  await Promise.all(workerSets.map((set) => set.close()));
  await Promise.all(connections.map((redis) => redis.quit()));
  await fx.close();
});

const reconcileQueue = () => fx.harness.queues.reconcile;

/** What one worker process starts: its own connection, client and workers on the shared prefix. */
function startWorkerProcess(): WorkerSet {
  const connection = createWorkerConnection(fx.harness.redisUrl);
  connections.push(connection);
  const starshipit = createStarshipitFromConfig(
    fx.harness.config,
    connection,
    fx.harness.metrics.starshipitRequests,
  );
  const set = createWorkers({ ...fx.harness, connection, starshipit });
  workerSets.push(set);
  return set;
}

/** The reconciliation jobs not yet taken: what the scheduler (and operators) queued. */
async function pendingRuns() {
  return reconcileQueue().getJobs(['waiting', 'delayed', 'prioritized']);
}

describe('reconciliation schedule', () => {
  it('keeps exactly one job scheduler, with one pending run, however often the workers restart', async () => {
    for (let start = 0; start < 3; start += 1) {
      await installReconcileSchedule(fx.harness.queues, {
        enabled: true,
        everyMs: HOUR_MS,
        log: fx.harness.log,
      });
    }

    const schedulers = await reconcileQueue().getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({
      key: RECONCILE_SCHEDULER_ID,
      name: 'reconcile-run',
      every: HOUR_MS,
    });
    const pending = await pendingRuns();
    expect(pending.map((job) => [job.name, job.data as unknown])).toEqual([
      ['reconcile-run', { trigger: 'schedule' }],
    ]);
    expect(await reconcileQueue().getGlobalConcurrency()).toBe(1);
  });

  it('never overlaps runs: a manual run asked for during a slow scheduled one waits, across two worker processes', async () => {
    // Each run's recently-printed call answers after 600 ms, so a run lasts that long at least.
    const slowEmptyPage = {
      status: 200,
      delayMs: 600,
      path: '/api/orders/shipments',
      body: { orders: [], total_pages: 0, status: 'recently_printed', success: true },
    };
    fx.fake.script(slowEmptyPage, slowEmptyPage, slowEmptyPage);
    let mostActive = 0;
    const sampling = new AbortController();
    const sampler = (async () => {
      while (!sampling.signal.aborted) {
        mostActive = Math.max(mostActive, await reconcileQueue().getActiveCount());
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    startWorkerProcess();
    startWorkerProcess();
    // The scheduler's first run is due at once.
    await waitFor('the scheduled run to start', async () => {
      const [run] = await listReconcileRuns(fx.harness.db, 1);
      return run?.status === 'running';
    });
    await enqueue(fx.harness.queues, 'reconcile-run', { trigger: 'manual' });
    await enqueue(fx.harness.queues, 'reconcile-run', { trigger: 'manual' });
    const runs = await waitFor(
      'three finished runs',
      async () => {
        const rows = await listReconcileRuns(fx.harness.db, 10);
        return rows.length === 3 && rows.every((row) => row.finishedAt !== null) ? rows : null;
      },
      15_000,
    );
    sampling.abort();
    await sampler;

    expect(mostActive).toBe(1);
    const ordered = [...runs].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    expect(ordered.map((run) => [run.trigger, run.status])).toEqual([
      ['schedule', 'succeeded'],
      ['manual', 'succeeded'],
      ['manual', 'succeeded'],
    ]);
    for (const [earlier, later] of ordered.slice(0, -1).map((run, n) => [run, ordered[n + 1]!])) {
      expect(earlier!.finishedAt!.getTime()).toBeLessThanOrEqual(later!.startedAt.getTime());
      expect(earlier!.finishedAt!.getTime() - earlier!.startedAt.getTime()).toBeGreaterThanOrEqual(
        590,
      );
    }
    // The scheduler's next run is an hour away, and still the only one.
    const pending = await pendingRuns();
    expect(pending).toHaveLength(1);
    expect(pending[0]?.opts.delay).toBeGreaterThan(HOUR_MS - 60_000);
    expect(await reconcileQueue().getJobSchedulers()).toHaveLength(1);
  });

  it('removes the scheduler and its pending run when a restart finds no credentials', async () => {
    await installReconcileSchedule(fx.harness.queues, {
      enabled: false,
      everyMs: HOUR_MS,
      log: fx.harness.log,
    });

    expect(await reconcileQueue().getJobSchedulers()).toEqual([]);
    expect(await pendingRuns()).toEqual([]);
  });
});
