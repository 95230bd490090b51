import { closeQueues, createQueues, createWorkerConnection, enqueue } from '@tracksync/queue';
import { randomBytes } from 'node:crypto';
import { onCleanup } from '../lib/cleanup';
import type { BenchConfig } from '../lib/config';
import { describeCpu, measureCpu, type CpuUse } from '../lib/cpu';
import { progress, sleep } from '../lib/out';
import { trackingEventJob } from '../lib/payloads';
import { freePort, peakRss, startApp, waitUntilReady } from '../lib/procs';
import type { Scratch } from '../lib/resources';
import { round, summarize, type Summary } from '../lib/stats';

export interface WorkerRun {
  /** Events stored per second: (n − 1) / (last stored_at − first stored_at). */
  readonly eventsPerS: number;
  readonly events: number;
  /** Wall time of the whole run (a: the loop; b: worker start to the last event stored). */
  readonly wallMs: number;
  readonly peakRssMb: number | null;
  /** 2(b) only: delivery attempts already recorded when the last event was stored. */
  readonly deliveriesDoneAtEnd?: number;
  readonly failedJobs?: number;
  /** 2(a) only: CPU cores the loop process used during the loop itself (its own cpuUsage). */
  readonly loopCores?: number;
  /** From process start to the last event stored (includes the few start-up seconds). */
  readonly cpu: CpuUse;
}

export interface WorkerCaseResult {
  readonly sqlLoop: { readonly runs: WorkerRun[]; readonly eventsPerS: Summary };
  readonly worker: { readonly runs: WorkerRun[]; readonly eventsPerS: Summary };
  /** median(worker) / median(sql loop). */
  readonly dbRatio: number;
  readonly peakRssMb: number | null;
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

async function countEvents(scratch: Scratch): Promise<number> {
  const { rows } = await scratch.pool.query<{ count: string }>(
    'select count(*) as count from tracking_events',
  );
  return Number(rows[0]?.count ?? 0);
}

async function runSqlLoop(config: BenchConfig, scratch: Scratch): Promise<WorkerRun> {
  await scratch.truncate();
  const app = startApp({
    name: 'sql-loop',
    script: 'bench/servers/sql-loop.ts',
    env: {
      DATABASE_URL: scratch.databaseUrl,
      EVENTS: String(config.workerEvents),
      CONCURRENCY: String(config.workerConcurrency),
      TAG: randomBytes(4).toString('hex'),
    },
    // Unpinned, like the worker it is compared with.
    cpu: null,
  });
  const stopCpu = measureCpu({
    sqlLoop: app.pid,
    ...(scratch.redisPid !== null && { redis: scratch.redisPid }),
  });
  let output = '';
  app.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let peak: number | null = null;
  const deadline = Date.now() + config.workerTimeoutS * 1000;
  let cpu = stopCpu();
  while (app.child.exitCode === null && Date.now() < deadline) {
    peak = peakRss(app) ?? peak;
    // The last reading while the process still lives is the one that counts.
    cpu = stopCpu();
    await sleep(100);
  }
  if (app.child.exitCode === null) {
    await app.stop(1_000);
    throw new Error(`sql loop did not finish within ${config.workerTimeoutS} s`);
  }
  if (app.child.exitCode !== 0) throw new Error(`sql loop failed:\n${app.tail()}`);
  const line = output.split('\n').find((text) => text.startsWith('{"sqlLoop"'));
  if (!line) throw new Error(`sql loop printed no result:\n${app.tail()}`);
  const { sqlLoop } = JSON.parse(line) as { sqlLoop: { wallMs: number; cpuMs: number } };
  const { count, perS } = await storedRate(scratch);
  if (count !== config.workerEvents)
    throw new Error(`sql loop stored ${count} of ${config.workerEvents}`);
  return {
    eventsPerS: perS,
    events: count,
    wallMs: sqlLoop.wallMs,
    peakRssMb: peak,
    cpu,
    loopCores: sqlLoop.cpuMs / sqlLoop.wallMs,
  };
}

async function runWorker(config: BenchConfig, scratch: Scratch): Promise<WorkerRun> {
  await scratch.truncate();
  await scratch.clearQueues();
  const connection = createWorkerConnection(scratch.redisUrl);
  const queues = createQueues({ connection, prefix: scratch.prefix, onError: () => undefined });
  const forget = onCleanup('bench queues', async () => {
    await closeQueues(queues);
    await connection.quit();
  });
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
    const waiting = await queues.ingest.getWaitingCount();
    if (waiting !== config.workerEvents)
      throw new Error(`enqueued ${waiting} of ${config.workerEvents}`);

    const adminPort = await freePort();
    const started = performance.now();
    const app = startApp({
      name: 'worker',
      script: 'apps/worker/src/main.ts',
      env: {
        DATABASE_URL: scratch.databaseUrl,
        REDIS_URL: scratch.redisUrl,
        QUEUE_PREFIX: scratch.prefix,
        ADMIN_PORT: String(adminPort),
        WORKER_CONCURRENCY: String(config.workerConcurrency),
        SOURCE_ADAPTER: 'log',
        LOG_LEVEL: 'warn',
      },
      cpu: null,
    });
    const stopCpu = measureCpu({
      worker: app.pid,
      ...(scratch.redisPid !== null && { redis: scratch.redisPid }),
    });
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
      const { rows } = await scratch.pool.query<{ count: string }>(
        'select count(*) as count from delivery_attempts',
      );
      const failedJobs = await queues.ingest.getFailedCount();
      const { count, perS } = await storedRate(scratch);
      return {
        eventsPerS: perS,
        events: count,
        wallMs,
        peakRssMb,
        deliveriesDoneAtEnd: Number(rows[0]?.count ?? 0),
        failedJobs,
        cpu,
      };
    } finally {
      await app.stop();
    }
  } finally {
    forget();
    await closeQueues(queues);
    await connection.quit();
    await scratch.clearQueues();
  }
}

export async function runWorkerCase(
  config: BenchConfig,
  scratch: Scratch,
): Promise<WorkerCaseResult> {
  const sqlRuns: WorkerRun[] = [];
  const workerRuns: WorkerRun[] = [];
  for (let i = 0; i < config.repeats; i += 1) {
    const sql = await runSqlLoop(config, scratch);
    sqlRuns.push(sql);
    progress(
      `worker case run ${i + 1}/${config.repeats} plain pg loop: ${round(sql.eventsPerS, 0)} events/s (${sql.events} events, ${round(sql.wallMs / 1000, 2)} s wall, loop CPU ${sql.loopCores?.toFixed(2) ?? 'n/a'} cores; ${describeCpu(sql.cpu)} incl. start-up)`,
    );
    const worker = await runWorker(config, scratch);
    workerRuns.push(worker);
    progress(
      `worker case run ${i + 1}/${config.repeats} worker: ${round(worker.eventsPerS, 0)} events/s (${worker.events} events, ${worker.deliveriesDoneAtEnd ?? 0} deliveries done meanwhile, ${worker.failedJobs ?? 0} failed, peak RSS ${round(worker.peakRssMb ?? Number.NaN)} MB; ${describeCpu(worker.cpu)} incl. start-up)`,
    );
  }
  const sqlLoop = { runs: sqlRuns, eventsPerS: summarize(sqlRuns.map((run) => run.eventsPerS)) };
  const worker = {
    runs: workerRuns,
    eventsPerS: summarize(workerRuns.map((run) => run.eventsPerS)),
  };
  const peaks = workerRuns.map((run) => run.peakRssMb).filter((value) => value !== null);
  return {
    sqlLoop,
    worker,
    dbRatio: worker.eventsPerS.median / sqlLoop.eventsPerS.median,
    peakRssMb: peaks.length > 0 ? Math.max(...peaks) : null,
  };
}
