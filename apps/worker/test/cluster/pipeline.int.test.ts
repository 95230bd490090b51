import { trackingEvents } from '@tracksync/db';
import { startServiceProcess, type ServiceProcess } from '@tracksync/test-support';
import { Redis } from 'ioredis';
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkers, type WorkerSet } from '../../src/workers';
import { basicAuth, serveAdmin, type AdminServer } from '../admin-server';
import { startHarness, waitFor, type WorkerHarness } from '../harness';
import { SINK_SECRET } from '../reconcile-fixture';
import { startSink, verifySinkRequest, type Sink } from '../sink';
import { useRedisCluster } from './cluster';

const WEBHOOK_SECRET = `cluster-${randomBytes(8).toString('hex')}`;
const ADMIN_TOKEN = 'cluster-admin';
const STATUSES = ['Dispatched', 'InTransit', 'Delivered'] as const;
const run = randomBytes(3).toString('hex').toUpperCase();
const trackingNumbers = Array.from({ length: 4 }, (_, n) => `CL${run}${n}`);

function webhook(trackingNumber: string, step: number): string {
  return JSON.stringify({
    order_number: `SO-${trackingNumber}`,
    carrier_name: 'Australia Post',
    carrier_service: '7B05',
    tracking_number: trackingNumber,
    tracking_status: STATUSES[step],
    last_updated_date: `2026-06-18T0${step + 1}:00:00Z`,
  });
}

describe('the pipeline on a three-node Redis Cluster', () => {
  const redis = useRedisCluster();
  let sink: Sink;
  let harness: WorkerHarness;
  let workers: WorkerSet;
  let admin: AdminServer;
  let ingress: ServiceProcess;
  let ingressUrl: string;

  const post = (body: string) =>
    fetch(`${ingressUrl}/callback/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-starshipit-signature': createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex'),
      },
      body,
    });

  beforeAll(async () => {
    sink = await startSink();
    harness = await startHarness({
      ...redis.env,
      SOURCE_ADAPTER: 'http',
      SOURCE_HTTP_URL: sink.url,
      SOURCE_HTTP_SECRET: SINK_SECRET,
      DELIVERY_BACKOFF_MS: '50',
      ADMIN_TOKEN,
    });
    workers = createWorkers(harness);
    admin = await serveAdmin(harness);
    ingress = await startServiceProcess({
      entry: 'apps/ingress/src/main.ts',
      env: {
        ...redis.env,
        PORT: '0',
        STARSHIPIT_WEBHOOK_SECRET: WEBHOOK_SECRET,
        LOG_LEVEL: 'info',
      },
      readyMessage: 'ingress listening',
      timeoutMs: 60_000,
    });
    ingressUrl = `http://127.0.0.1:${String(ingress.readyLine.port)}`;
  }, 120_000);

  afterAll(async () => {
    await ingress.stop();
    await admin.close();
    await workers.close();
    await harness.close();
    await sink.stop();
  });

  it('takes signed webhooks from the ingress process through the queues into Postgres and on to the source system, once each', async () => {
    expect(ingress.readyLine.redis).toEqual({
      mode: 'cluster',
      seeds: redis.env.REDIS_CLUSTER_NODES.split(','),
    });
    const eventIds = new Set<string>();
    for (let step = 0; step < STATUSES.length; step += 1) {
      for (const trackingNumber of trackingNumbers) {
        const answer = await post(webhook(trackingNumber, step));
        expect(answer.status).toBe(200);
        eventIds.add(((await answer.json()) as { event_id: string }).event_id);
      }
      // Each status waits for the last one's delivery, so every change is delivered on its own.
      await waitFor('the deliveries of this step', () => sink.requests.length === eventIds.size);
    }
    const repeat = await post(webhook(trackingNumbers[0]!, 2));
    expect(repeat.status).toBe(200);

    const stored = await waitFor('every event stored', async () => {
      const rows = await harness.db.select().from(trackingEvents);
      return rows.length === eventIds.size ? rows : null;
    });
    expect(new Set(stored.map((row) => row.eventId))).toEqual(eventIds);
    expect(stored.every((row) => row.result === 'applied')).toBe(true);
    for (const trackingNumber of trackingNumbers) {
      const sent = sink.requestsFor(trackingNumber);
      expect(sent.map((request) => request.body.data.tracking_status)).toEqual([...STATUSES]);
      for (const request of sent)
        expect(() => verifySinkRequest(SINK_SECRET, request)).not.toThrow();
    }
    // The repeat changed nothing: no second event, no further delivery.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await harness.db.$count(trackingEvents)).toBe(eventIds.size);
    expect(sink.requests).toHaveLength(eventIds.size);
  });

  it('keeps every key of the deployment on the one node that holds its hash tag', async () => {
    const owner = await redis.cluster.nodeFor(redis.prefix);
    const keys = await redis.keysByNode();

    const ownerKeys = keys.get(owner.port) ?? [];
    expect(ownerKeys.length).toBeGreaterThan(0);
    for (const queue of ['ingest', 'delivery', 'parked', 'reconcile']) {
      expect(ownerKeys.some((key) => key.startsWith(`${redis.prefix}:${queue}:`))).toBe(true);
    }
    for (const [port, found] of keys) if (port !== owner.port) expect(found).toEqual([]);
    const probe = new Redis(owner.url);
    const slots = new Set(await Promise.all(ownerKeys.map((key) => probe.cluster('KEYSLOT', key))));
    probe.disconnect();
    expect(slots.size).toBe(1);
  });

  it('answers readiness on both apps and shows the queues in Bull Board and the metrics', async () => {
    expect((await fetch(`${ingressUrl}/readyz`)).status).toBe(200);
    const ready = await fetch(`${admin.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { redis: 'ok', postgres: 'ok' } });

    const board = await fetch(`${admin.url}/admin/queues/api/queues`, {
      headers: { authorization: basicAuth(ADMIN_TOKEN) },
    });
    expect(board.status).toBe(200);
    const { queues } = (await board.json()) as {
      queues: { name: string; counts: Record<string, number> }[];
    };
    const counts = Object.fromEntries(queues.map((queue) => [queue.name, queue.counts]));
    // The repeat's job id (its dedup key) was still in the queue, so BullMQ added nothing.
    expect(counts.ingest?.completed).toBe(trackingNumbers.length * STATUSES.length);
    expect(counts.delivery?.completed).toBe(trackingNumbers.length * STATUSES.length);

    const metrics = await (await fetch(`${admin.url}/metrics`)).text();
    expect(metrics).toContain(
      `tracksync_worker_queue_jobs{queue="ingest",state="completed"} ${trackingNumbers.length * STATUSES.length}`,
    );
  });

  it('keeps taking webhooks while a node not holding the queues is down', async () => {
    const owner = await redis.cluster.nodeFor(redis.prefix);
    const other = redis.cluster.nodes.find((node) => node !== owner)!;
    await other.kill();
    try {
      for (let n = 0; n < 5; n += 1) {
        expect((await post(webhook(`CL${run}O${n}`, 0))).status).toBe(200);
      }
      expect((await fetch(`${ingressUrl}/readyz`)).status).toBe(200);
    } finally {
      await redis.cluster.restartNode(other);
    }
    await waitFor('those deliveries', () =>
      [0, 1, 2, 3, 4].every((n) => sink.requestsFor(`CL${run}O${n}`).length === 1),
    );
  });

  it('answers 503 within 2 s while the node holding the queues is down, and 200 once it is back', async () => {
    const owner = await redis.cluster.nodeFor(redis.prefix);
    const body = webhook(`CL${run}X`, 0);
    await owner.kill();

    const timed = async <T>(action: () => Promise<T>) => {
      const started = performance.now();
      const result = await action();
      return { result, ms: performance.now() - started };
    };
    const down = await timed(() => post(body));
    expect(down.result.status).toBe(503);
    expect(down.result.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(down.ms).toBeLessThan(2_000);
    const notReady = await timed(() => fetch(`${ingressUrl}/readyz`));
    expect(notReady.result.status).toBe(503);
    expect(notReady.ms).toBeLessThan(2_000);
    expect((await fetch(`${admin.url}/readyz`)).status).toBe(503);

    await redis.cluster.restartNode(owner);
    const back = await waitFor('a 200 after the restart', async () => {
      const answer = await post(body);
      return answer.status === 200 ? answer : null;
    });
    expect(back.status).toBe(200);
    expect((await fetch(`${ingressUrl}/readyz`)).status).toBe(200);
    await waitFor(
      'the delivery of the webhook taken after the restart',
      () => sink.requestsFor(`CL${run}X`).length === 1,
    );
  });
});
