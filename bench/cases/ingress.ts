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
  /** Jobs waiting in Redis after the run (1b, 1c): every 2xx should be one. */
  readonly jobsInRedis?: number;
  /** Over the measured window: the server's cores, the bench's (autocannon), Redis's. */
  readonly cpu: CpuUse;
}

interface IngressSide {
  readonly runs: IngressRun[];
  readonly rps: Summary;
  readonly p50Ms: Summary;
  readonly p99Ms: Summary;
}

export interface IngressCaseResult {
  readonly bare: IngressSide;
  /** 1c: bare Express plus one BullMQ job per request, added per event-loop turn. */
  readonly bareBullmq: IngressSide;
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
  /** median(ingress rps) / median(1c rps): what the ingress costs beyond Express and BullMQ. */
  readonly frameworkRatio: number;
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

/** 1a, or with `scratch` 1c: the same route adding one BullMQ job per request. */
async function runBare(config: BenchConfig, scratch?: Scratch): Promise<IngressRun> {
  const port = await freePort();
  const app = startApp({
    name: scratch ? 'bare-express-bullmq' : 'bare-express',
    script: 'bench/servers/bare-express.ts',
    env: {
      PORT: String(port),
      ...(scratch && { REDIS_URL: scratch.redisUrl, QUEUE_PREFIX: scratch.prefix }),
    },
    cpu: config.ingressCpu,
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitUntilReady(app, `${url}/healthz`);
    const run = await measure(app, url, config, scratch?.redisPid ?? null);
    return scratch ? { ...run, jobsInRedis: await waitingJobs(scratch) } : run;
  } finally {
    await app.stop();
    await scratch?.clearQueues();
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
    const jobs = await waitingJobs(scratch);
    return { run, jobs };
  } finally {
    await app.stop();
    await scratch.clearQueues();
  }
}

/** Every 2xx of warm-up and measurement should be a job waiting in Redis. */
function waitingJobs(scratch: Scratch): Promise<number> {
  return scratch.redis.llen(`${scratch.prefix}:ingest:wait`);
}

const fmt = (run: IngressRun) =>
  `${round(run.rps, 0)} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, peak RSS ${round(run.peakRssMb ?? Number.NaN)} MB; ${describeCpu(run.cpu)}${run.jobsInRedis === undefined ? '' : `, ${run.jobsInRedis} jobs in Redis`}`;

export async function runIngressCase(
  config: BenchConfig,
  scratch: Scratch,
): Promise<IngressCaseResult> {
  const bare: IngressRun[] = [];
  const bareBullmq: IngressRun[] = [];
  const ingress: IngressRun[] = [];
  const jobs: number[] = [];
  for (let i = 0; i < config.repeats; i += 1) {
    // Alternate which variant goes first, so slow drift of the machine hits all alike.
    const variants = ['bare', 'bare+bullmq', 'ingress'] as const;
    const order = i % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      if (variant === 'bare') {
        const run = await runBare(config);
        bare.push(run);
        progress(`ingress case run ${i + 1}/${config.repeats} bare express: ${fmt(run)}`);
      } else if (variant === 'bare+bullmq') {
        const run = await runBare(config, scratch);
        bareBullmq.push(run);
        progress(`ingress case run ${i + 1}/${config.repeats} bare express + BullMQ: ${fmt(run)}`);
      } else {
        const { run, jobs: enqueued } = await runIngress(config, scratch);
        ingress.push(run);
        jobs.push(enqueued);
        progress(
          `ingress case run ${i + 1}/${config.repeats} ingress: ${fmt({ ...run, jobsInRedis: enqueued })}`,
        );
      }
    }
  }
  const side = (runs: IngressRun[]): IngressSide => ({
    runs,
    rps: summarize(runs.map((run) => run.rps)),
    p50Ms: summarize(runs.map((run) => run.p50Ms)),
    p99Ms: summarize(runs.map((run) => run.p99Ms)),
  });
  const bareSide = side(bare);
  const frameworkSide = side(bareBullmq);
  const ingressSide = { ...side(ingress), jobsEnqueued: jobs };
  const peaks = ingress.map((run) => run.peakRssMb).filter((value) => value !== null);
  return {
    bare: bareSide,
    bareBullmq: frameworkSide,
    ingress: ingressSide,
    ingressRatio: ingressSide.rps.median / bareSide.rps.median,
    ingressRatioPerRun: ingress.map((run, i) => run.rps / (bare[i]?.rps ?? Number.NaN)),
    frameworkRatio: ingressSide.rps.median / frameworkSide.rps.median,
    peakRssMb: peaks.length > 0 ? Math.max(...peaks) : null,
  };
}
