import { deliveries, deliveryAttempts, shipments, trackingEvents } from '@tracksync/db';
import { statusRank } from '@tracksync/domain';
import { enqueue } from '@tracksync/queue';
import { and, asc, eq, inArray, like } from 'drizzle-orm';
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startHarness,
  trackingEventJob,
  waitFor,
  waitForJobState,
  waitUntilQuiet,
  type WorkerHarness,
} from './harness';
import { startServiceProcess, type ServiceProcess } from '@tracksync/test-support';
import {
  answersInTurn,
  isApplied,
  startSink,
  verifySinkRequest,
  type Sink,
  type SinkRequest,
} from './sink';

const SOURCE_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const STARSHIPIT_SECRET = `starshipit-${randomBytes(8).toString('hex')}`;
const JOURNEY = ['Printed', 'Dispatched', 'InTransit', 'OutForDelivery', 'Delivered'] as const;
/** Starting Node processes and waiting out a lock is slow on a busy two-core machine. */
const CHILD_PROCESS_TIMEOUT_MS = 90_000;

/** The worker's environment, exactly as a deployment would set it (nothing else is passed). */
function workerEnv(harness: WorkerHarness, sink: Sink): Record<string, string> {
  return {
    DATABASE_URL: harness.database.url,
    REDIS_URL: harness.redisUrl,
    QUEUE_PREFIX: harness.config.QUEUE_PREFIX,
    ADMIN_PORT: '0',
    SOURCE_ADAPTER: 'http',
    SOURCE_HTTP_URL: sink.url,
    SOURCE_HTTP_SECRET: SOURCE_SECRET,
    // A dead worker's job is back in the queue within a few seconds instead of a minute.
    WORKER_LOCK_MS: '2000',
    DELIVERY_BACKOFF_MS: '50',
    LOG_LEVEL: 'info',
  };
}

function startWorker(env: Record<string, string>): Promise<ServiceProcess> {
  return startServiceProcess({
    entry: 'apps/worker/src/main.ts',
    env,
    readyMessage: 'worker started',
  });
}

function payload(trackingNumber: string, status: string, minute: number) {
  return {
    order_number: `SO-${trackingNumber}`,
    tracking_number: trackingNumber,
    tracking_status: status,
    last_updated_date: new Date(Date.UTC(2026, 5, 18, 9, minute)).toISOString(),
    carrier_name: 'NZ Post',
  };
}

function deliveriesOf(harness: WorkerHarness, trackingNumber: string) {
  return harness.db
    .select()
    .from(deliveries)
    .where(eq(deliveries.trackingNumber, trackingNumber))
    .orderBy(asc(deliveries.seq));
}

function expectSigned(requests: readonly SinkRequest[]) {
  for (const request of requests) {
    expect(() => verifySinkRequest(SOURCE_SECRET, request)).not.toThrow();
  }
}

describe('a worker process killed during a delivery', () => {
  let harness: WorkerHarness;
  let sink: Sink;
  const children: ServiceProcess[] = [];

  beforeAll(async () => {
    // The first request of a change hangs, as a source system that stops answering would.
    sink = await startSink({ script: answersInTurn({ hold: true }, { status: 200 }) });
    harness = await startHarness();
  });

  afterAll(async () => {
    await Promise.all(children.map((child) => child.stop()));
    await harness.close();
    await sink.stop();
  });

  it(
    'sends the change again under the same webhook-id from the next worker, and records it delivered',
    async () => {
      const env = workerEnv(harness, sink);
      const first = await startWorker(env);
      children.push(first);
      const job = trackingEventJob(payload('KILL-1', 'Dispatched', 60));
      await enqueue(harness.queues, 'tracking-event', job);
      const [held] = await waitFor('the request to reach the sink', () => {
        const requests = sink.requestsFor('KILL-1');
        return requests.length > 0 ? requests : null;
      });
      const [pending] = await deliveriesOf(harness, 'KILL-1');
      expect(pending).toMatchObject({ status: 'pending', deliveryId: held!.webhookId });

      await first.kill();
      const killedAt = performance.now();
      const second = await startWorker(env);
      children.push(second);
      const [delivered] = await waitFor(
        'the delivery to complete on the second worker',
        async () => {
          const rows = await deliveriesOf(harness, 'KILL-1');
          return rows[0]?.status === 'delivered' ? rows : null;
        },
        40_000,
      );
      const recoveredAfterMs = Math.round(performance.now() - killedAt);

      const requests = sink.requestsFor('KILL-1');
      expect(
        requests.map((request) => [request.webhookId, request.status, request.aborted]),
      ).toEqual([
        [pending!.deliveryId, undefined, true],
        [pending!.deliveryId, 200, false],
      ]);
      expectSigned(requests);
      // The killed attempt died with its process: only the completed one is on record.
      expect(delivered).toMatchObject({ attempts: 1, lastHttpStatus: 200 });
      const attempts = await harness.db
        .select()
        .from(deliveryAttempts)
        .where(eq(deliveryAttempts.deliveryId, pending!.deliveryId));
      expect(attempts).toMatchObject([{ attempt: 1, outcome: 'applied', httpStatus: 200 }]);
      // The row is written inside the job; BullMQ marks the job completed a moment after.
      const finished = await waitForJobState(
        harness.queues.delivery,
        pending!.deliveryId,
        'completed',
      );
      expect(finished.stalledCounter).toBe(1);
      expect(second.lines).toContainEqual(
        expect.objectContaining({
          msg: 'job stalled, back to waiting',
          jobId: pending!.deliveryId,
        }),
      );
      process.stdout.write(`delivery recovered ${recoveredAfterMs}ms after SIGKILL\n`);
    },
    CHILD_PROCESS_TIMEOUT_MS,
  );
});

describe('two worker processes behind the real ingress', () => {
  let harness: WorkerHarness;
  let sink: Sink;
  let ingress: ServiceProcess;
  let ingressUrl: string;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    // A source system that takes 0–20 ms and answers one request in ten with a 503; seeded,
    // so a failure can be reproduced.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    sink = await startSink({
      script: () => ({ status: random() < 0.1 ? 503 : 200, delayMs: Math.floor(random() * 20) }),
    });
    harness = await startHarness();
    const env = workerEnv(harness, sink);
    const started = await Promise.all([
      startServiceProcess({
        entry: 'apps/ingress/src/main.ts',
        env: {
          PORT: '0',
          REDIS_URL: harness.redisUrl,
          QUEUE_PREFIX: harness.config.QUEUE_PREFIX,
          STARSHIPIT_WEBHOOK_SECRET: STARSHIPIT_SECRET,
          LOG_LEVEL: 'info',
        },
        readyMessage: 'ingress listening',
      }),
      startWorker(env),
      startWorker(env),
    ]);
    [ingress] = started;
    workers.push(...started.slice(1));
    ingressUrl = `http://127.0.0.1:${String(ingress.readyLine.port)}/callback`;
  }, CHILD_PROCESS_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([ingress, ...workers].map((child) => child.stop()));
    await harness.close();
    await sink.stop();
  });

  /** Posts a body as Starshipit does: hex HMAC-SHA256 of the raw bytes. */
  async function post(body: string): Promise<number> {
    const signature = createHmac('sha256', STARSHIPIT_SECRET).update(body).digest('hex');
    const response = await fetch(ingressUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-starshipit-signature': signature },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  it(
    'delivers a change once when Starshipit posts its event 1,000 times',
    async () => {
      const body = JSON.stringify(payload('REPEAT-1', 'Dispatched', 60));
      const statuses: number[] = [];
      for (let batch = 0; batch < 20; batch += 1) {
        statuses.push(...(await Promise.all(Array.from({ length: 50 }, () => post(body)))));
      }
      expect(statuses.filter((status) => status === 200)).toHaveLength(1000);
      await waitFor('the delivery', async () => {
        const rows = await deliveriesOf(harness, 'REPEAT-1');
        return rows.length === 1 && rows[0]?.status === 'delivered';
      });
      await waitUntilQuiet(harness, 30_000);

      const requests = sink.requestsFor('REPEAT-1');
      const [delivery] = await deliveriesOf(harness, 'REPEAT-1');
      expect(new Set(requests.map((request) => request.webhookId))).toEqual(
        new Set([delivery!.deliveryId]),
      );
      expect(requests.filter(isApplied)).toHaveLength(1);
      expect(
        await harness.db.$count(trackingEvents, eq(trackingEvents.trackingNumber, 'REPEAT-1')),
      ).toBe(1);
      expectSigned(requests);
    },
    CHILD_PROCESS_TIMEOUT_MS,
  );

  it(
    'delivers every change of 20 shipments once and in order, shared between the two processes',
    async () => {
      const trackingNumbers = Array.from(
        { length: 20 },
        (_, i) => `PAIR-${String(i).padStart(2, '0')}`,
      );
      // Each shipment's journey is posted in order; the shipments all at once.
      await Promise.all(
        trackingNumbers.map(async (trackingNumber) => {
          for (const [index, status] of JOURNEY.entries()) {
            expect(await post(JSON.stringify(payload(trackingNumber, status, 60 + index)))).toBe(
              200,
            );
          }
        }),
      );
      await waitUntilQuiet(harness, 60_000);

      const rows = await harness.db
        .select()
        .from(deliveries)
        .where(like(deliveries.trackingNumber, 'PAIR-%'))
        .orderBy(asc(deliveries.seq));
      expect(rows.filter((row) => row.status !== 'delivered')).toEqual([]);
      // One delivery per change of state: per event the projection applied, no more, no less.
      const applied = await harness.db.$count(
        trackingEvents,
        and(like(trackingEvents.trackingNumber, 'PAIR-%'), eq(trackingEvents.result, 'applied')),
      );
      expect(rows).toHaveLength(applied);
      const finalStates = await harness.db
        .select({ trackingStatus: shipments.trackingStatus })
        .from(shipments)
        .where(inArray(shipments.trackingNumber, trackingNumbers));
      expect(finalStates.map((row) => row.trackingStatus)).toEqual(
        trackingNumbers.map(() => 'Delivered'),
      );

      const requests = trackingNumbers.flatMap((trackingNumber) =>
        sink.requestsFor(trackingNumber),
      );
      expectSigned(requests);
      const appliedIds = requests.filter(isApplied).map((request) => request.webhookId);
      // No change applied twice, none lost, no webhook-id outside the outbox.
      expect(appliedIds.toSorted()).toEqual(rows.map((row) => row.deliveryId).toSorted());

      for (const trackingNumber of trackingNumbers) {
        const seen = sink.requestsFor(trackingNumber);
        const ranks = seen.map((request) => statusRank(request.body.data.tracking_status));
        expect({ trackingNumber, ranks }).toEqual({
          trackingNumber,
          ranks: ranks.toSorted((a, b) => a - b),
        });
        const appliedStatuses = seen.filter(isApplied).map((r) => r.body.data.tracking_status);
        expect(appliedStatuses).toEqual(
          rows
            .filter((row) => row.trackingNumber === trackingNumber)
            .map((row) => row.state.trackingStatus),
        );
        expect(appliedStatuses.at(-1)).toBe('Delivered');
      }
      for (const worker of workers) {
        expect(
          worker.lines.filter((line) => line.msg === 'delivery delivered').length,
        ).toBeGreaterThan(0);
      }
      const retried = requests.filter((request) => request.status === 503).length;
      process.stdout.write(
        `two workers: ${rows.length} changes delivered, ${requests.length} requests, ${retried} answered 503\n`,
      );
    },
    CHILD_PROCESS_TIMEOUT_MS,
  );
});
