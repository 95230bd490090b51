import { postWebhooks, type LoadResult } from '../lib/autocannon';
import type { BenchConfig } from '../lib/config';
import { describeCpu, measureCpu, type CpuUse } from '../lib/cpu';
import { progress } from '../lib/out';
import { WEBHOOK_SECRET } from '../lib/payloads';
import {
  freePort,
  peakRss,
  startApp,
  waitUntilReady,
  type AppProcess,
  APP_BUNDLES,
} from '../lib/procs';
import type { Scratch } from '../lib/resources';
import { round, summarize, type Summary } from '../lib/stats';

export interface IngressRun extends LoadResult {
  readonly peakRssMb: number | null;
  /** Over the measured window: the server's cores, the bench's (autocannon), Redis's. */
  readonly cpu: CpuUse;
}

export interface IngressCaseResult {
  readonly bare: {
    readonly runs: IngressRun[];
    readonly rps: Summary;
    readonly p50Ms: Summary;
    readonly p99Ms: Summary;
  };
  readonly ingress: {
    readonly runs: IngressRun[];
    readonly rps: Summary;
    readonly p50Ms: Summary;
    readonly p99Ms: Summary;
    readonly jobsEnqueued: number[];
  };
  /** median(ingress rps) / median(bare rps). */
  readonly ingressRatio: number;
  /** The same ratio per repeat (each pair ran back to back). */
  readonly ingressRatioPerRun: number[];
  readonly peakRssMb: number | null;
}

async function measure(
  app: AppProcess,
  url: string,
  config: BenchConfig,
  redisPid: number | null,
): Promise<IngressRun> {
  await postWebhooks(url, { connections: config.connections, durationS: config.warmupS });
  const stopCpu = measureCpu({ server: app.pid, ...(redisPid !== null && { redis: redisPid }) });
  const result = await postWebhooks(url, {
    connections: config.connections,
    durationS: config.durationS,
  });
  const cpu = stopCpu();
  const peakRssMb = peakRss(app);
  if (result.non2xx > 0 || result.errors > 0) {
    progress(`  ${app.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return { ...result, peakRssMb, cpu };
}

async function runBare(config: BenchConfig): Promise<IngressRun> {
  const port = await freePort();
  const app = startApp({
    name: 'bare-express',
    script: 'bench/servers/bare-express.ts',
    env: { PORT: String(port) },
    cpu: config.ingressCpu,
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitUntilReady(app, `${url}/healthz`);
    return await measure(app, url, config, null);
  } finally {
    await app.stop();
  }
}

async function runIngress(
  config: BenchConfig,
  scratch: Scratch,
): Promise<{ run: IngressRun; jobs: number }> {
  const port = await freePort();
  const app = startApp({
    name: 'ingress',
    script: APP_BUNDLES.ingress,
    env: {
      PORT: String(port),
      REDIS_URL: scratch.redisUrl,
      QUEUE_PREFIX: scratch.prefix,
      STARSHIPIT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'warn',
    },
    cpu: config.ingressCpu,
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitUntilReady(app, `${url}/readyz`);
    const run = await measure(app, url, config, scratch.redisPid);
    // Every 2xx of warm-up and measurement should be a job waiting in Redis.
    const jobs = await scratch.redis.llen(`${scratch.prefix}:ingest:wait`);
    return { run, jobs };
  } finally {
    await app.stop();
    await scratch.clearQueues();
  }
}

const fmt = (run: IngressRun) =>
  `${round(run.rps, 0)} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, peak RSS ${round(run.peakRssMb ?? Number.NaN)} MB; ${describeCpu(run.cpu)}`;

export async function runIngressCase(
  config: BenchConfig,
  scratch: Scratch,
): Promise<IngressCaseResult> {
  const bare: IngressRun[] = [];
  const ingress: IngressRun[] = [];
  const jobs: number[] = [];
  for (let i = 0; i < config.repeats; i += 1) {
    // Alternate which variant goes first, so slow drift of the machine hits both alike.
    const order = i % 2 === 0 ? (['bare', 'ingress'] as const) : (['ingress', 'bare'] as const);
    for (const variant of order) {
      if (variant === 'bare') {
        const run = await runBare(config);
        bare.push(run);
        progress(`ingress case run ${i + 1}/${config.repeats} bare express: ${fmt(run)}`);
      } else {
        const { run, jobs: enqueued } = await runIngress(config, scratch);
        ingress.push(run);
        jobs.push(enqueued);
        progress(
          `ingress case run ${i + 1}/${config.repeats} ingress: ${fmt(run)}, ${enqueued} jobs in Redis`,
        );
      }
    }
  }
  const side = (runs: IngressRun[]) => ({
    runs,
    rps: summarize(runs.map((run) => run.rps)),
    p50Ms: summarize(runs.map((run) => run.p50Ms)),
    p99Ms: summarize(runs.map((run) => run.p99Ms)),
  });
  const bareSide = side(bare);
  const ingressSide = { ...side(ingress), jobsEnqueued: jobs };
  const peaks = ingress.map((run) => run.peakRssMb).filter((value) => value !== null);
  return {
    bare: bareSide,
    ingress: ingressSide,
    ingressRatio: ingressSide.rps.median / bareSide.rps.median,
    ingressRatioPerRun: ingress.map((run, i) => run.rps / (bare[i]?.rps ?? Number.NaN)),
    peakRssMb: peaks.length > 0 ? Math.max(...peaks) : null,
  };
}
