import { closeQueues, createQueues, createWorkerConnection, enqueue } from '@tracksync/queue';
import type { Queues } from '@tracksync/queue';
import { randomBytes } from 'node:crypto';
import { onCleanup } from '../lib/cleanup';
import type { BenchConfig } from '../lib/config';
import { measureCpu, type CpuUse } from '../lib/cpu';
import { sleep } from '../lib/out';
import { trackingEventJob } from '../lib/payloads';
import {
  APP_BUNDLES,
  freePort,
  peakRss,
  startApp,
  waitUntilReady,
  type AppProcess,
} from '../lib/procs';
import type { Scratch } from '../lib/resources';

export interface WorkerRun {
  /** Events per second: stored (2a, 2b, from stored_at) or completed (2c, in-process). */
  readonly eventsPerS: number;
  readonly events: number;
  /** Wall time of the whole run (a, c: the process; b: worker start to the last event stored). */
  readonly wallMs: number;
  readonly peakRssMb: number | null;
  /** 2(b) only: delivery jobs waiting when the last event was stored (the lane is paused). */
  readonly deliveriesQueued?: number;
  readonly failedJobs?: number;
  /** From process start to the end of the run (includes the few start-up seconds). */
  readonly cpu: CpuUse;
}

/** Ingest rate as Postgres saw it, so start-up and the last job's Redis round trip do not count. */
async function storedRate(scratch: Scratch): Promise<{ count: number; perS: number }> {
  const { rows } = await scratch.pool.query<{ count: string; span_s: number | null }>(
    'select count(*) as count, extract(epoch from max(stored_at) - min(stored_at))::float8 as span_s from tracking_events',
  );
  const count = Number(rows[0]?.count ?? 0);
  const span = rows[0]?.span_s ?? 0;
  return { count, perS: span > 0 ? (count - 1) / span : Number.NaN };
}

function cpuOf(app: AppProcess, scratch: Scratch): () => CpuUse {
  return measureCpu({
    [app.name]: app.pid,
    ...(scratch.redisPid !== null && { redis: scratch.redisPid }),
  });
}

/** Waits for a bench server that exits when done; returns its result line and resources. */
async function runToExit(
  app: AppProcess,
  scratch: Scratch,
  timeoutS: number,
  key: string,
): Promise<{ result: unknown; peak: number | null; cpu: CpuUse; wallMs: number }> {
  const started = performance.now();
  const stopCpu = cpuOf(app, scratch);
  let output = '';
  app.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let peak: number | null = null;
  let cpu = stopCpu();
  const deadline = Date.now() + timeoutS * 1000;
  while (app.child.exitCode === null && Date.now() < deadline) {
    peak = peakRss(app) ?? peak;
    // The last reading while the process still lives is the one that counts.
    cpu = stopCpu();
    await sleep(100);
  }
  if (app.child.exitCode === null) {
    await app.stop(1_000);
    throw new Error(`${app.name} did not finish within ${timeoutS} s`);
  }
  if (app.child.exitCode !== 0) throw new Error(`${app.name} failed:\n${app.tail()}`);
  const line = output.split('\n').find((text) => text.startsWith(`{"${key}"`));
  if (!line) throw new Error(`${app.name} printed no result:\n${app.tail()}`);
  const result = (JSON.parse(line) as Record<string, unknown>)[key];
  return { result, peak, cpu, wallMs: performance.now() - started };
}

/** Without `batching`, case 2a; with it, 2d: batches of `batch`, `inFlight` at once. */
export async function runSqlLoop(
  config: BenchConfig,
  scratch: Scratch,
  batching?: { readonly batch: number; readonly inFlight: number },
): Promise<WorkerRun> {
  await scratch.truncate();
  const app = startApp({
    name: 'sqlLoop',
    script: 'bench/servers/sql-loop.ts',
    env: {
      DATABASE_URL: scratch.databaseUrl,
      EVENTS: String(config.workerEvents),
      CONCURRENCY: String(batching?.inFlight ?? config.workerConcurrency),
      BATCH: String(batching?.batch ?? 1),
      TAG: randomBytes(4).toString('hex'),
    },
    // Unpinned, like the worker it is compared with.
    cpu: null,
  });
  const { peak, cpu, wallMs } = await runToExit(app, scratch, config.workerTimeoutS, 'sqlLoop');
  const { count, perS } = await storedRate(scratch);
  if (count !== config.workerEvents)
    throw new Error(`sql loop stored ${count} of ${config.workerEvents}`);
  return { eventsPerS: perS, events: count, wallMs, peakRssMb: peak, cpu };
}

/**
 * Runs `measure` with `workerEvents` tracking-event jobs waiting in a clean queue prefix and
 * the delivery lane paused: the ingest lane alone, as the SQL loop it is compared with (the
 * outbox rows and delivery jobs are still written; case 3 runs both lanes).
 */
async function withPreEnqueuedEvents<T>(
  config: BenchConfig,
  scratch: Scratch,
  measure: (queues: Queues) => Promise<T>,
): Promise<T> {
  await scratch.truncate();
  await scratch.clearQueues();
  const connection = createWorkerConnection(scratch.redisUrl);
  const queues = createQueues({ connection, prefix: scratch.prefix, onError: () => undefined });
  const close = async () => {
    await closeQueues(queues);
    await connection.quit();
  };
  const forget = onCleanup('bench queues', close);
  try {
    const tag = randomBytes(4).toString('hex');
    const jobs = Array.from({ length: config.workerEvents }, (_, i) =>
      trackingEventJob(`WRK-${tag}-${i}`, i),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let i = next++; i < jobs.length; i = next++) {
          const job = jobs[i];
          if (job) await enqueue(queues, 'tracking-event', job);
        }
      }),
    );
    await queues.delivery.pause();
    const waiting = await queues.ingest.getWaitingCount();
    if (waiting !== config.workerEvents)
      throw new Error(`enqueued ${waiting} of ${config.workerEvents}`);
    return await measure(queues);
  } finally {
    forget();
    await close();
    await scratch.clearQueues();
  }
}

export function runBullmqNoop(config: BenchConfig, scratch: Scratch): Promise<WorkerRun> {
  return withPreEnqueuedEvents(config, scratch, async () => {
    const app = startApp({
      name: 'bullmqNoop',
      script: 'bench/servers/bullmq-noop.ts',
      env: {
        REDIS_URL: scratch.redisUrl,
        QUEUE_PREFIX: scratch.prefix,
        EVENTS: String(config.workerEvents),
        CONCURRENCY: String(config.workerConcurrency),
      },
      cpu: null,
    });
    const run = await runToExit(app, scratch, config.workerTimeoutS, 'bullmqNoop');
    const { events, eventsPerS } = run.result as { events: number; eventsPerS: number };
    return { events, eventsPerS, wallMs: run.wallMs, peakRssMb: run.peak, cpu: run.cpu };
  });
}

async function countEvents(scratch: Scratch): Promise<number> {
  const { rows } = await scratch.pool.query<{ count: string }>(
    'select count(*) as count from tracking_events',
  );
  return Number(rows[0]?.count ?? 0);
}

/** `env` adds to or overrides the worker's settings (e.g. INGEST_BATCH_MAX=1: no group commit). */
export function runWorker(
  config: BenchConfig,
  scratch: Scratch,
  env: Readonly<Record<string, string>> = {},
): Promise<WorkerRun> {
  return withPreEnqueuedEvents(config, scratch, async (queues) => {
    const adminPort = await freePort();
    const started = performance.now();
    const app = startApp({
      name: 'worker',
      script: APP_BUNDLES.worker,
      env: {
        DATABASE_URL: scratch.databaseUrl,
        REDIS_URL: scratch.redisUrl,
        QUEUE_PREFIX: scratch.prefix,
        ADMIN_PORT: String(adminPort),
        WORKER_CONCURRENCY: String(config.workerConcurrency),
        SOURCE_ADAPTER: 'log',
        LOG_LEVEL: 'warn',
        ...env,
      },
      cpu: null,
    });
    const stopCpu = cpuOf(app, scratch);
    try {
      await waitUntilReady(app, `http://127.0.0.1:${adminPort}/healthz`);
      const deadline = Date.now() + config.workerTimeoutS * 1000;
      let stored = 0;
      while (Date.now() < deadline) {
        stored = await countEvents(scratch);
        if (stored >= config.workerEvents) break;
        if (app.child.exitCode !== null) throw new Error(`worker exited:\n${app.tail()}`);
        await sleep(100);
      }
      const wallMs = performance.now() - started;
      const cpu = stopCpu();
      const peakRssMb = peakRss(app);
      if (stored < config.workerEvents) {
        throw new Error(
          `worker stored ${stored} of ${config.workerEvents} within ${config.workerTimeoutS} s`,
        );
      }
      const { count, perS } = await storedRate(scratch);
      return {
        eventsPerS: perS,
        events: count,
        wallMs,
        peakRssMb,
        deliveriesQueued: await queues.delivery.getWaitingCount(),
        failedJobs: await queues.ingest.getFailedCount(),
        cpu,
      };
    } finally {
      await app.stop();
    }
  });
}
