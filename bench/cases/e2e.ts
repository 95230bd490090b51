import { closeQueues, createQueues, createWorkerConnection, type Queues } from '@tracksync/queue';
import { randomBytes } from 'node:crypto';
import { onCleanup } from '../lib/cleanup';
import type { BenchConfig } from '../lib/config';
import { describeCpu, measureCpu, type CpuUse } from '../lib/cpu';
import { closeAgent, offerLoad, type Offered } from '../lib/open-loop';
import { progress, sleep } from '../lib/out';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_SECRET, WEBHOOK_SECRET } from '../lib/payloads';
import {
  freePort,
  peakRss,
  startApp,
  waitUntilReady,
  type AppProcess,
  APP_BUNDLES,
} from '../lib/procs';
import type { Scratch } from '../lib/resources';
import { nowEpochMs, Sink } from '../lib/sink';
import { percentile, round, summarize, type Summary } from '../lib/stats';

export interface WindowResult {
  readonly offeredRate: number;
  readonly durationS: number;
  readonly sent: number;
  readonly accepted: number;
  readonly non200: number;
  readonly errors: number;
  readonly delivered: number;
  /** Events not at the sink within the grace after the last send. */
  readonly undelivered: number;
  /** Ingress received_at (deliveries row) → sink arrival. */
  readonly receivedToDeliveredP50Ms: number;
  readonly receivedToDeliveredP99Ms: number;
  readonly receivedToDeliveredMaxMs: number;
  /** Request due time at the generator → sink arrival (adds the ingress's own answer time). */
  readonly offeredToDeliveredP99Ms: number;
  /** Delivered events / (last arrival − first arrival). */
  readonly deliveredPerS: number;
  readonly generatorLateP99Ms: number;
  /**
   * True when some events had not arrived by the end of the wait: they count at the wait's end,
   * so the percentiles are lower bounds.
   */
  readonly latencyLowerBound: boolean;
  readonly cpu: CpuUse;
}

export interface MaxRateStep extends WindowResult {
  readonly sustainable: boolean;
  readonly reason: string;
}

/** A maximum-rate search; `toppedOut`: every step held, so the rate is only a lower bound. */
export interface MaxRateSearch {
  readonly sustainableRate: number | null;
  readonly toppedOut: boolean;
  readonly steps: MaxRateStep[];
}

export interface E2eCaseResult {
  readonly steady: {
    readonly runs: WindowResult[];
    readonly p50Ms: Summary;
    readonly p99Ms: Summary;
    /** Some run's percentiles are lower bounds (events still undelivered at the wait's end). */
    readonly lowerBound: boolean;
  };
  readonly maxRate: {
    readonly runs: MaxRateSearch[];
    readonly sustainableRate: Summary;
    /** Some run's search never found a rate that failed: the median is a lower bound. */
    readonly toppedOut: boolean;
    readonly definition: string;
  };
  readonly peakRssMb: { readonly ingress: number | null; readonly worker: number | null };
  readonly sink: { readonly duplicates: number; readonly malformed: number };
  /** With BENCH_DESTINATIONS=2: what the second destination's sink got. */
  readonly secondSink: { readonly arrivals: number; readonly duplicates: number } | null;
}

interface Running {
  readonly ingress: AppProcess;
  readonly workers: readonly AppProcess[];
  readonly ingressUrl: string;
  readonly sink: Sink;
  readonly secondSink: Sink | null;
  /** The bench's own handle on the queues, to throw away a backlog between windows. */
  readonly queues: Queues;
}

/** Waits until every accepted event of `offered` reached the sink, or `deadlineMs` passes. */
async function waitForDeliveries(
  sink: Sink,
  offered: Offered,
  deadlineMs: number,
): Promise<number> {
  const keys = [...offered.dueAtMs.keys()];
  while (nowEpochMs() < deadlineMs) {
    const missing = keys.filter((key) => !sink.arrivals.has(key)).length;
    if (missing <= offered.sent - offered.ok) break;
    await sleep(20);
  }
  return keys.filter((key) => !sink.arrivals.has(key)).length;
}

async function measureWindow(
  scratch: Scratch,
  running: Running,
  {
    rate,
    durationS,
    label,
    graceMs,
  }: { rate: number; durationS: number; label: string; graceMs: number },
): Promise<WindowResult> {
  const stopCpu = measureCpu({
    ingress: running.ingress.pid,
    ...Object.fromEntries(running.workers.map((worker) => [worker.name, worker.pid])),
    ...(scratch.redisPid !== null && { redis: scratch.redisPid }),
  });
  const offered = await offerLoad(running.ingressUrl, { rate, durationS, label });
  const cpu = stopCpu();
  const waitEndMs = offered.endMs + graceMs;
  const undelivered = await waitForDeliveries(running.sink, offered, waitEndMs);
  const arrivals = [...offered.dueAtMs.entries()]
    .map(([trackingNumber, dueAt]) => ({
      dueAt,
      arrival: running.sink.arrivals.get(trackingNumber),
    }))
    .filter((entry) => entry.arrival !== undefined);
  const ids = arrivals.map((entry) => entry.arrival?.deliveryId ?? '');
  const { rows } = await scratch.pool.query<{ delivery_id: string; received_ms: number }>(
    'select delivery_id, (extract(epoch from received_at) * 1000)::float8 as received_ms from deliveries where delivery_id = any($1::text[])',
    [ids],
  );
  const receivedAt = new Map(rows.map((row) => [row.delivery_id, row.received_ms]));
  const receivedToDelivered: number[] = [];
  const offeredToDelivered: number[] = [];
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const { dueAt, arrival } of arrivals) {
    if (!arrival) continue;
    const received = receivedAt.get(arrival.deliveryId);
    if (received !== undefined) receivedToDelivered.push(arrival.atMs - received);
    offeredToDelivered.push(arrival.atMs - dueAt);
    first = Math.min(first, arrival.atMs);
    last = Math.max(last, arrival.atMs);
  }
  // Not there yet: counted at the end of the wait (the ingress received them a moment after due).
  for (const [trackingNumber, dueAt] of offered.dueAtMs) {
    if (running.sink.arrivals.has(trackingNumber)) continue;
    receivedToDelivered.push(waitEndMs - dueAt);
    offeredToDelivered.push(waitEndMs - dueAt);
  }
  return {
    offeredRate: rate,
    durationS,
    sent: offered.sent,
    accepted: offered.ok,
    non200: offered.non200,
    errors: offered.errors,
    delivered: arrivals.length,
    undelivered,
    receivedToDeliveredP50Ms: percentile(receivedToDelivered, 50),
    receivedToDeliveredP99Ms: percentile(receivedToDelivered, 99),
    receivedToDeliveredMaxMs:
      receivedToDelivered.length > 0 ? Math.max(...receivedToDelivered) : Number.NaN,
    offeredToDeliveredP99Ms: percentile(offeredToDelivered, 99),
    deliveredPerS: last > first ? ((arrivals.length - 1) * 1000) / (last - first) : Number.NaN,
    generatorLateP99Ms: offered.lateP99Ms,
    latencyLowerBound: undelivered > 0,
    cpu,
  };
}

const describe = (w: WindowResult) => {
  const bound = w.latencyLowerBound ? '≥ ' : '';
  return `${w.offeredRate}/s × ${w.durationS} s: ${w.delivered}/${w.sent} delivered (${w.non200} non-200, ${w.errors} errors), received→delivered p50 ${bound}${round(w.receivedToDeliveredP50Ms)} ms p99 ${bound}${round(w.receivedToDeliveredP99Ms)} ms max ${round(w.receivedToDeliveredMaxMs)} ms, delivered ${round(w.deliveredPerS, 0)}/s, generator late p99 ${round(w.generatorLateP99Ms)} ms; ${describeCpu(w.cpu)} while offering`;
};

function judge(config: BenchConfig, w: WindowResult): { sustainable: boolean; reason: string } {
  if (w.generatorLateP99Ms > 50)
    return {
      sustainable: false,
      reason: "generator fell behind (result is the generator's limit)",
    };
  if (w.non200 > 0 || w.errors > 0)
    return { sustainable: false, reason: 'ingress refused or failed requests' };
  if (w.undelivered > 0)
    return {
      sustainable: false,
      reason: `${w.undelivered} not delivered within ${config.maxRateGraceMs} ms of the last send`,
    };
  if (w.receivedToDeliveredP99Ms > config.maxRateP99Ms)
    return { sustainable: false, reason: `p99 above ${config.maxRateP99Ms} ms` };
  return { sustainable: true, reason: 'ok' };
}

async function searchMaxRate(
  config: BenchConfig,
  scratch: Scratch,
  running: Running,
  runLabel: string,
  startRate: number,
): Promise<MaxRateSearch> {
  const steps: MaxRateStep[] = [];
  let pass: number | null = null;
  let fail: number | null = null;
  let rate = startRate;
  const step = async (offered: number) => {
    const window = await measureWindow(scratch, running, {
      rate: offered,
      durationS: config.maxRateStepS,
      label: `${runLabel}-R${offered}`,
      graceMs: config.maxRateGraceMs,
    });
    const verdict = judge(config, window);
    steps.push({ ...window, ...verdict });
    progress(
      `  max-rate step ${describe(window)} → ${verdict.sustainable ? 'sustainable' : `not sustainable: ${verdict.reason}`}`,
    );
    // Steps must not inherit each other's backlog.
    await purge(running);
    return verdict.sustainable;
  };
  // Up by the factor while it holds; when even the first rate fails, down until one holds.
  for (let i = 0; i < config.maxRateSteps; i += 1) {
    if (await step(rate)) {
      pass = rate;
      if (fail !== null) break;
      rate = Math.round(rate * config.maxRateFactor);
    } else {
      fail = rate;
      if (pass !== null) break;
      rate = Math.round(rate / config.maxRateFactor);
      if (rate < 1) break;
    }
  }
  // One bisection between the last good and the first bad rate.
  if (pass !== null && fail !== null) {
    const mid = Math.round((pass + fail) / 2);
    if (mid > pass && mid < fail && (await step(mid))) pass = mid;
  }
  return { sustainableRate: pass, toppedOut: pass !== null && fail === null, steps };
}

/**
 * Throws away what a window left queued (waiting or delayed ingest and delivery jobs), then
 * waits (bounded) for the jobs in flight, so the next window starts on empty queues. Events
 * thrown away are already counted as undelivered at the end of their window's wait.
 */
async function purge(running: Running): Promise<void> {
  const { ingest, delivery } = running.queues;
  await Promise.all([ingest.drain(true), delivery.drain(true)]);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const [a, b] = await Promise.all([ingest.getActiveCount(), delivery.getActiveCount()]);
    if (a + b === 0) return;
    await sleep(100);
  }
}

/** The worker's destinations for BENCH_DESTINATIONS=2: both sinks, both signed. */
async function writeTwoDestinations(firstPort: number, secondPort: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracksync-bench-'));
  const path = join(dir, 'destinations.yaml');
  await writeFile(
    path,
    `destinations:
  default: { adapter: http, url: "http://127.0.0.1:${firstPort}/tracksync", signing_secret: "\${SOURCE_HTTP_SECRET}" }
  second: { adapter: http, url: "http://127.0.0.1:${secondPort}/tracksync", signing_secret: "\${SOURCE_HTTP_SECRET}" }
`,
  );
  return path;
}

/**
 * The sink, the ingress and `workerCount` worker processes (the production bundles) on the
 * scratch database and prefix, delivering over HTTP; `stop` ends them all.
 */
export async function startE2eStack(
  config: BenchConfig,
  scratch: Scratch,
  workerCount: number,
): Promise<Running & { stop(): Promise<void> }> {
  await scratch.truncate();
  await scratch.clearQueues();
  const sink = new Sink();
  const sinkPort = await sink.listen();
  const secondSink = config.e2eDestinations === 2 ? new Sink() : null;
  const destinations = secondSink
    ? await writeTwoDestinations(sinkPort, await secondSink.listen())
    : null;
  const connection = createWorkerConnection(scratch.redisUrl);
  const queues = createQueues({ connection, prefix: scratch.prefix, onError: () => undefined });
  const forgetQueues = onCleanup('e2e queues', async () => {
    await closeQueues(queues);
    await connection.quit();
  });
  const ingressPort = await freePort();
  const ingress = startApp({
    name: 'ingress',
    script: APP_BUNDLES.ingress,
    env: {
      PORT: String(ingressPort),
      REDIS_URL: scratch.redisUrl,
      QUEUE_PREFIX: scratch.prefix,
      STARSHIPIT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'warn',
    },
    cpu: config.ingressCpu,
  });
  const workers: AppProcess[] = [];
  const stop = async () => {
    await Promise.all([ingress.stop(), ...workers.map((worker) => worker.stop())]);
    forgetQueues();
    await closeQueues(queues);
    await connection.quit();
    closeAgent();
    await sink.close();
    await secondSink?.close();
    await scratch.clearQueues();
  };
  try {
    for (let index = 1; index <= workerCount; index += 1) {
      const adminPort = await freePort();
      const worker = startApp({
        name: workerCount === 1 ? 'worker' : `worker${index}`,
        script: APP_BUNDLES.worker,
        env: {
          DATABASE_URL: scratch.databaseUrl,
          REDIS_URL: scratch.redisUrl,
          QUEUE_PREFIX: scratch.prefix,
          ADMIN_PORT: String(adminPort),
          WORKER_CONCURRENCY: String(config.workerConcurrency),
          SOURCE_ADAPTER: 'http',
          SOURCE_HTTP_URL: `http://127.0.0.1:${sinkPort}/tracksync`,
          SOURCE_HTTP_SECRET: SOURCE_SECRET,
          ...(destinations ? { TRACKSYNC_CONFIG: destinations } : {}),
          LOG_LEVEL: 'warn',
        },
        cpu: null,
      });
      workers.push(worker);
      await waitUntilReady(worker, `http://127.0.0.1:${adminPort}/readyz`);
    }
    const ingressUrl = `http://127.0.0.1:${ingressPort}`;
    await waitUntilReady(ingress, `${ingressUrl}/readyz`);
    return { ingress, workers, ingressUrl, sink, secondSink, queues, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A short unmeasured window, so neither JIT warm-up nor cold caches land in a result. */
export async function warmUp(
  config: BenchConfig,
  scratch: Scratch,
  running: Running,
  label: string,
): Promise<void> {
  const warm = await measureWindow(scratch, running, {
    rate: config.e2eRate,
    durationS: Math.min(3, config.e2eDurationS),
    label,
    graceMs: 10_000,
  });
  progress(`e2e warm-up ${describe(warm)}`);
  await purge(running);
}

/** The steady window's maximum-rate search start: ×factor when it kept up, else 90 % of it. */
function maxRateStartAfter(config: BenchConfig, steady: WindowResult): number {
  if (config.maxRateStart !== null) return config.maxRateStart;
  return judge(config, steady).sustainable
    ? Math.round(config.e2eRate * config.maxRateFactor)
    : Math.max(5, Math.round((0.9 * steady.deliveredPerS) / 5) * 5);
}

/** One steady window at the e2e rate, then the maximum sustainable rate search from it. */
export async function steadyThenMaxRate(
  config: BenchConfig,
  scratch: Scratch,
  running: Running,
  label: string,
  durationS: number,
): Promise<{
  steady: WindowResult;
  search: MaxRateSearch;
}> {
  const steady = await measureWindow(scratch, running, {
    rate: config.e2eRate,
    durationS,
    label,
    graceMs: config.e2eGraceS * 1000,
  });
  progress(`${label} steady ${describe(steady)}`);
  await purge(running);
  const startRate = maxRateStartAfter(config, steady);
  const search = await searchMaxRate(config, scratch, running, `MAX-${label}`, startRate);
  progress(
    `${label} maximum sustainable rate: ${search.sustainableRate === null ? 'none found' : `${search.toppedOut ? '≥ ' : ''}${search.sustainableRate}/s`}`,
  );
  return { steady, search };
}

export async function runE2eCase(config: BenchConfig, scratch: Scratch): Promise<E2eCaseResult> {
  const running = await startE2eStack(config, scratch, 1);
  try {
    const tag = randomBytes(3).toString('hex');
    await warmUp(config, scratch, running, `E2E-${tag}-warm`);
    const steadyRuns: WindowResult[] = [];
    const maxRuns: MaxRateSearch[] = [];
    for (let i = 0; i < config.repeats; i += 1) {
      const { steady, search } = await steadyThenMaxRate(
        config,
        scratch,
        running,
        `E2E-${tag}-${i}`,
        config.e2eDurationS,
      );
      steadyRuns.push(steady);
      maxRuns.push(search);
    }
    const [worker] = running.workers;
    return {
      steady: {
        runs: steadyRuns,
        p50Ms: summarize(steadyRuns.map((run) => run.receivedToDeliveredP50Ms)),
        p99Ms: summarize(steadyRuns.map((run) => run.receivedToDeliveredP99Ms)),
        lowerBound: steadyRuns.some((run) => run.latencyLowerBound),
      },
      maxRate: {
        runs: maxRuns,
        sustainableRate: summarize(maxRuns.map((run) => run.sustainableRate ?? 0)),
        toppedOut: maxRuns.some((run) => run.toppedOut),
        definition: maxRateDefinition(config),
      },
      peakRssMb: { ingress: peakRss(running.ingress), worker: worker ? peakRss(worker) : null },
      sink: { duplicates: running.sink.duplicates, malformed: running.sink.malformed },
      secondSink: running.secondSink && {
        arrivals: running.secondSink.arrivals.size,
        duplicates: running.secondSink.duplicates,
      },
    };
  } finally {
    await running.stop();
  }
}

export function maxRateDefinition(config: BenchConfig): string {
  return `highest offered rate (steps of ×${config.maxRateFactor} up, or ÷ while even the first fails, from ${config.maxRateStart === null ? "90% of the steady run's delivered rate (or ×factor of the steady rate when it kept up)" : `${config.maxRateStart}/s`}, ${config.maxRateStepS} s each, one bisection) at which every request was accepted, every event reached the sink within ${config.maxRateGraceMs} ms of the last send, and p99 received→delivered stayed ≤ ${config.maxRateP99Ms} ms`;
}
