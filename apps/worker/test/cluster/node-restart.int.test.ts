import { trackingEvents } from '@tracksync/db';
import {
  createTestDatabase,
  startServiceProcess,
  type ServiceProcess,
  type TestDatabase,
} from '@tracksync/test-support';
import { inArray } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../harness';
import { SINK_SECRET } from '../reconcile-fixture';
import { startSink, type Sink } from '../sink';
import { useRedisCluster } from './cluster';
import { startSteadyLoad, type Sent } from './steady-load';

/** The ingress's deadline for Redis (apps/ingress/src/webhook/enqueue-within.ts). */
const ENQUEUE_TIMEOUT_MS = 1_500;
const WEBHOOK_SECRET = `restart-${randomBytes(8).toString('hex')}`;
const PER_SECOND = 25;
const BEFORE_MS = 3_000;
const DOWN_MS = 3_000;
const AFTER_MS = 4_000;
/** Node processes start slowly on a busy two-core machine (tsx compiles on the fly). */
const START_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples the ingress's /readyz until stopped; returns the spans it answered 503. */
function watchReadiness(url: string) {
  const samples: { at: number; ready: boolean }[] = [];
  const stopped = new AbortController();
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      const at = performance.now();
      const ready = await fetch(url, { signal: AbortSignal.timeout(3_000) }).then(
        (response) => response.status === 200,
        () => false,
      );
      samples.push({ at, ready });
      await sleep(100);
    }
  })();
  return {
    async stop() {
      stopped.abort();
      await loop;
      return samples;
    },
  };
}

describe('a Redis Cluster node restart under steady webhook load', () => {
  const redis = useRedisCluster();
  let database: TestDatabase;
  let sink: Sink;
  let worker: ServiceProcess;
  let ingress: ServiceProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await startSink();
    [worker, ingress] = await Promise.all([
      startServiceProcess({
        entry: 'apps/worker/src/main.ts',
        env: {
          ...redis.env,
          DATABASE_URL: database.url,
          ADMIN_PORT: '0',
          SOURCE_ADAPTER: 'http',
          SOURCE_HTTP_URL: sink.url,
          SOURCE_HTTP_SECRET: SINK_SECRET,
          // A job whose worker lost its lock in the outage is back within seconds.
          WORKER_LOCK_MS: '2000',
          DELIVERY_BACKOFF_MS: '100',
          LOG_LEVEL: 'info',
        },
        readyMessage: 'worker started',
        timeoutMs: START_TIMEOUT_MS,
      }),
      startServiceProcess({
        entry: 'apps/ingress/src/main.ts',
        env: { ...redis.env, PORT: '0', STARSHIPIT_WEBHOOK_SECRET: WEBHOOK_SECRET },
        readyMessage: 'ingress listening',
        timeoutMs: START_TIMEOUT_MS,
      }),
    ]);
  }, 2 * START_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([ingress.stop(), worker.stop()]);
    await sink.stop();
    await database.drop();
  });

  it('stores every webhook answered 200 exactly once when the node holding the queues is SIGKILLed and restarted from its AOF', async () => {
    const base = `http://127.0.0.1:${String(ingress.readyLine.port)}`;
    const owner = await redis.cluster.nodeFor(redis.prefix);
    const readiness = watchReadiness(`${base}/readyz`);
    const load = startSteadyLoad({
      url: `${base}/callback/`,
      secret: WEBHOOK_SECRET,
      perSecond: PER_SECOND,
      label: `NR${randomBytes(2).toString('hex').toUpperCase()}`,
    });
    await sleep(BEFORE_MS);
    const killedAt = performance.now();
    await owner.kill();
    await sleep(DOWN_MS);
    const restartedAt = performance.now();
    await redis.cluster.restartNode(owner);
    const wholeAt = performance.now();
    await sleep(AFTER_MS);
    const sent = await load.stop();
    const ready = await readiness.stop();

    const accepted = sent.filter((webhook) => webhook.status === 200);
    const acceptedIds = accepted.map((webhook) => webhook.eventId ?? '');
    const storedIds = async () =>
      (
        await database.db
          .select({ eventId: trackingEvents.eventId })
          .from(trackingEvents)
          .where(inArray(trackingEvents.eventId, acceptedIds))
      ).map((row) => row.eventId);
    // Waits, but does not fail here: a loss must still show in the report below.
    const allStored = await waitFor(
      'every accepted webhook in the event log',
      async () => (await storedIds()).length === acceptedIds.length,
      60_000,
    ).catch(() => false);
    const allDelivered = await waitFor(
      'every accepted shipment delivered',
      () => accepted.every((webhook) => sink.requestsFor(webhook.trackingNumber).length > 0),
      30_000,
    ).catch(() => false);
    const refused = sent.filter((webhook) => webhook.status !== 200);
    const webhookIds = sink.requests.map((request) => request.webhookId);
    report({
      sent,
      refused,
      killedAt,
      restartedAt,
      wholeAt,
      ready,
      storedRows: await database.db.$count(trackingEvents),
      acceptedCount: accepted.length,
      deliveries: sink.requests.length,
      repeatedDeliveries: webhookIds.length - new Set(webhookIds).size,
    });

    // Every acknowledged webhook is stored, once: the log's unique id allows no second row.
    expect(allStored).toBe(true);
    expect((await storedIds()).sort()).toEqual([...acceptedIds].sort());
    expect(new Set(acceptedIds).size).toBe(accepted.length);
    // The outage was real and every webhook got an answer: 503, never a hang or a reset. The
    // 2 s promise is measured quietly in pipeline.int.test.ts; here, on a shared two-core
    // machine under load, an answer may lag the 1.5 s enqueue deadline by more than the 0.5 s
    // left of it (2.03 s seen beside the chaos suite), so the bound is the deadline plus 1 s.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((webhook) => webhook.status === 503)).toBe(true);
    expect(Math.max(...sent.map((webhook) => webhook.ms))).toBeLessThan(ENQUEUE_TIMEOUT_MS + 1_000);
    // Refusals only while the node was away or not yet writable again, none after.
    for (const webhook of refused) {
      expect(webhook.sentAt).toBeGreaterThan(killedAt - 2_000);
      expect(webhook.sentAt).toBeLessThan(wholeAt + 3_000);
    }
    expect(ready.some((sample) => !sample.ready)).toBe(true);
    expect(ready.at(-1)?.ready).toBe(true);
    // And the worker came back by itself: every accepted shipment reached the source system.
    expect(allDelivered).toBe(true);
    expect(worker.lines.some((line) => line.level >= 60)).toBe(false);
  }, 180_000);

  it('then stops both processes cleanly on SIGTERM, closing their cluster connections', async () => {
    const started = performance.now();
    await Promise.all([ingress.stop(), worker.stop()]);

    expect(performance.now() - started).toBeLessThan(10_000);
    for (const app of [ingress, worker]) {
      const messages = app.lines.map((line) => line.msg);
      expect(messages).toContain('stopped');
      expect(messages).not.toContain('shutdown step failed');
    }
  });
});

/** What the restart did, for the log of the run (and the release notes). */
function report(run: {
  sent: readonly Sent[];
  refused: readonly Sent[];
  killedAt: number;
  restartedAt: number;
  wholeAt: number;
  ready: readonly { at: number; ready: boolean }[];
  storedRows: number;
  acceptedCount: number;
  deliveries: number;
  repeatedDeliveries: number;
}): void {
  const since = (at: number) => `${((at - run.killedAt) / 1000).toFixed(2)} s`;
  const notReady = run.ready.filter((sample) => !sample.ready);
  const lines = [
    `webhooks sent ${run.sent.length} at ${PER_SECOND}/s; 200: ${run.acceptedCount}; 503: ${run.refused.filter((w) => w.status === 503).length}; other: ${run.refused.filter((w) => w.status !== 503).length}`,
    `node SIGKILLed at 0 s, restarted at ${since(run.restartedAt)}, cluster whole at ${since(run.wholeAt)}`,
    `503s sent from ${since(run.refused[0]?.sentAt ?? run.killedAt)} to ${since(run.refused.at(-1)?.sentAt ?? run.killedAt)}`,
    `/readyz probes answered 503 started from ${since(notReady[0]?.at ?? run.killedAt)} to ${since(notReady.at(-1)?.at ?? run.killedAt)}`,
    `slowest answer ${Math.max(...run.sent.map((w) => w.ms)).toFixed(0)} ms; slowest 503 ${Math.max(0, ...run.refused.map((w) => w.ms)).toFixed(0)} ms`,
    `event log rows ${run.storedRows}: the ${run.acceptedCount} answered 200, plus ${run.storedRows - run.acceptedCount} answered 503 whose job reached Redis after the deadline`,
    `deliveries to the source ${run.deliveries}, repeated webhook-ids ${run.repeatedDeliveries}`,
  ];
  process.stdout.write(`\nnode restart under load:\n  ${lines.join('\n  ')}\n`);
}
