import { freePort } from '@tracksync/test-support';
import { createDb } from '@tracksync/db';
import {
  closeQueues,
  createProducerConnection,
  createQueues,
  createWorkerConnection,
  enqueue,
} from '@tracksync/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerMetrics } from '../metrics';
import {
  GUIDE_EXAMPLE_PAYLOAD,
  startHarness,
  trackingEventJob,
  waitForJobState,
  type WorkerHarness,
} from '../../test/harness';
import { createWorkers } from '../workers';
import type { AdminDeps } from './app';
import { serveAdmin, type AdminServer } from '../../test/admin-server';

describe('admin port', () => {
  let harness: WorkerHarness;
  const servers: AdminServer[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    for (const cleanup of cleanups) await cleanup();
    await harness.close();
  });

  async function serve(overrides: Partial<AdminDeps> = {}): Promise<string> {
    const server = await serveAdmin(harness, overrides);
    servers.push(server);
    return server.url;
  }

  it('answers /healthz', async () => {
    const response = await fetch(`${await serve()}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready when Redis and Postgres both answer', async () => {
    const response = await fetch(`${await serve()}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { redis: 'ok', postgres: 'ok' },
      failed: [],
    });
  });

  it('answers 503 naming Redis within about a second when Redis is unreachable', async () => {
    // A worker connection waits through reconnects, so this is the slow path: the timeout.
    const deadRedis = createWorkerConnection(`redis://127.0.0.1:${await freePort()}`);
    deadRedis.on('error', () => undefined);
    cleanups.push(() => {
      deadRedis.disconnect();
      return Promise.resolve();
    });
    const started = performance.now();
    const response = await fetch(`${await serve({ redis: deadRedis })}/readyz`);

    expect(performance.now() - started).toBeLessThan(2_500);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'not_ready',
      checks: { redis: 'failed', postgres: 'ok' },
      failed: ['redis'],
    });
  });

  it('answers 503 naming Postgres when Postgres is unreachable', async () => {
    const deadDatabase = createDb(`postgres://postgres@127.0.0.1:${await freePort()}/gone`);
    cleanups.push(() => deadDatabase.close());
    const response = await fetch(`${await serve({ pool: deadDatabase.pool })}/readyz`);

    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ failed: ['postgres'] });
  });

  it('exposes queue depth, the oldest waiting job and events by result', async () => {
    const url = await serve();
    const job = trackingEventJob(GUIDE_EXAMPLE_PAYLOAD);
    await enqueue(harness.queues, 'tracking-event', job);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const waiting = await (await fetch(`${url}/metrics`)).text();
    expect(waiting).toContain('tracksync_worker_queue_jobs{queue="ingest",state="waiting"} 1');
    expect(waiting).toContain('tracksync_worker_queue_jobs{queue="parked",state="waiting"} 0');
    const age = /tracksync_worker_queue_oldest_waiting_seconds\{queue="ingest"\} (\S+)/.exec(
      waiting,
    );
    expect(Number(age?.[1])).toBeGreaterThanOrEqual(0.05);

    const workers = createWorkers({ ...harness, db: harness.database.db });
    await waitForJobState(harness.queues.ingest, job.eventId, 'completed');
    await workers.close();
    const response = await fetch(`${url}/metrics`);
    const processed = await response.text();

    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(processed).toContain('tracksync_worker_queue_jobs{queue="ingest",state="waiting"} 0');
    expect(processed).toContain('tracksync_worker_queue_jobs{queue="ingest",state="completed"} 1');
    expect(processed).toContain('tracksync_worker_queue_oldest_waiting_seconds{queue="ingest"} 0');
    expect(processed).toContain('tracksync_worker_events_total{result="applied"} 1');
    expect(processed).toContain('tracksync_worker_events_total{result="duplicate"} 0');
    expect(processed).toContain('tracksync_worker_parked_payloads_total{outcome="stored"} 0');
    expect(processed).toMatch(/^tracksync_worker_process_cpu_user_seconds_total \d/m);
  });

  it('keeps answering /metrics, without queue gauges, while Redis is unreachable', async () => {
    const deadRedis = createProducerConnection(`redis://127.0.0.1:${await freePort()}`);
    deadRedis.on('error', () => undefined);
    const deadQueues = createQueues({
      connection: deadRedis,
      prefix: harness.config.QUEUE_PREFIX,
      onError: () => undefined,
    });
    cleanups.push(async () => {
      await closeQueues(deadQueues);
      deadRedis.disconnect();
    });
    const metrics = createWorkerMetrics({
      queues: deadQueues,
      db: harness.db,
      log: harness.log,
      staleAfterMs: harness.config.STALE_AFTER,
    });
    metrics.eventsByResult.inc({ result: 'stale' });

    const started = performance.now();
    const response = await fetch(`${await serve({ registry: metrics.registry })}/metrics`);
    const body = await response.text();

    expect(performance.now() - started).toBeLessThan(2_500);
    expect(response.status).toBe(200);
    expect(body).toContain('tracksync_worker_events_total{result="stale"} 1');
    expect(body).not.toContain('tracksync_worker_queue_jobs{');
    expect(harness.lines).toContainEqual(
      expect.objectContaining({ msg: 'queue metrics unavailable', queue: 'ingest' }),
    );
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await fetch(`${await serve()}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found' });
  });
});
