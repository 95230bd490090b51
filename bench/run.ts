/**
 * `npm run bench`: the performance baseline of tracksync (issue 6). Starts what it needs on
 * loopback — a scratch Postgres database, a Redis prefix of its own, the real ingress and
 * worker as child processes, a bare Express server, a sink — runs each case `BENCH_REPEATS`
 * times for a bounded time, and writes bench/results.json (a full run; a quick or partial one
 * writes bench/results-partial.json, kept out of git) plus a Markdown table on stdout.
 * `--quick` is a smoke run. Progress goes to stderr. See README "Benchmark".
 */
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runE2eCase } from './cases/e2e';
import { runIngressCase } from './cases/ingress';
import { runReplicasCase } from './cases/replicas';
import { runWorkerCase } from './cases/worker';
import { cleanupAll } from './lib/cleanup';
import { CASE_NAMES, loadBenchConfig, type BenchConfig } from './lib/config';
import { progress } from './lib/out';
import { allowedCpus, buildApps, pinSelf, REPO_ROOT, tasksetAvailable } from './lib/procs';
import { markdownTable, type Results } from './lib/report';
import { createScratch, type Scratch } from './lib/resources';

function planPinning(): { ingressCpu: number | null; loadCpu: number | null; note: string } {
  const allowed = allowedCpus();
  if (!tasksetAvailable())
    return { ingressCpu: null, loadCpu: null, note: 'taskset not found: nothing pinned' };
  const [ingressCpu, loadCpu] = allowed;
  if (ingressCpu === undefined || loadCpu === undefined) {
    return {
      ingressCpu: null,
      loadCpu: null,
      note: `only ${allowed.length} CPU allowed: nothing pinned`,
    };
  }
  if (!pinSelf(loadCpu))
    return { ingressCpu: null, loadCpu: null, note: 'taskset -p failed: nothing pinned' };
  return {
    ingressCpu,
    loadCpu,
    note: `server under test (ingress or bare Express) on CPU ${ingressCpu}; bench process (autocannon, open-loop generator, sink) on CPU ${loadCpu}; worker, sql loop, Postgres and Redis unpinned (${allowed.length} CPUs allowed)`,
  };
}

async function serverVersions(scratch: Scratch): Promise<{ postgres: string; redis: string }> {
  const { rows } = await scratch.pool.query<{ server_version: string }>('show server_version');
  const info = await scratch.redis.info('server');
  return {
    postgres: rows[0]?.server_version ?? 'unknown',
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
  };
}

function settings(config: BenchConfig) {
  return {
    quick: config.quick,
    cases: [...config.cases],
    repeats: config.repeats,
    ingress: {
      connections: config.connections,
      warmupS: config.warmupS,
      durationS: config.durationS,
    },
    worker: {
      events: config.workerEvents,
      concurrency: config.workerConcurrency,
      poolMax: 2 * config.workerConcurrency + 4,
    },
    e2e: {
      rate: config.e2eRate,
      durationS: config.e2eDurationS,
      maxRate: {
        start: config.maxRateStart ?? 'auto',
        factor: config.maxRateFactor,
        stepS: config.maxRateStepS,
        maxSteps: config.maxRateSteps,
        graceMs: config.maxRateGraceMs,
        p99LimitMs: config.maxRateP99Ms,
      },
    },
    replicas: { workerProcesses: config.replicaCounts, steadyS: config.replicaSteadyS },
  };
}

async function main(): Promise<number> {
  const pinning = planPinning();
  const config = loadBenchConfig(process.argv.slice(2), process.env, pinning);
  const startedAt = new Date();
  const maxS = Number(process.env.BENCH_MAX_S ?? (config.quick ? 240 : 900));
  const watchdog = setTimeout(() => {
    progress(`bench exceeded BENCH_MAX_S=${maxS} s: cleaning up and stopping`);
    void cleanupAll().finally(() => process.exit(2));
  }, maxS * 1000);
  watchdog.unref();

  progress(`${config.quick ? 'quick smoke run' : 'full run'}: ${pinning.note}`);
  // Fails early, with a clear line, when Postgres does not answer.
  const probe = new pg.Client({
    connectionString: config.databaseUrl,
    connectionTimeoutMillis: 3_000,
  });
  await probe.connect();
  await probe.end();

  progress('building the apps (npm run build)');
  buildApps();
  const scratch = await createScratch(config.databaseUrl, config.redisUrl);
  progress(`scratch database ${scratch.databaseName}, queue prefix ${scratch.prefix}`);
  const versions = await serverVersions(scratch);

  const ingress = config.cases.has('ingress') ? await runIngressCase(config, scratch) : undefined;
  const worker = config.cases.has('worker') ? await runWorkerCase(config, scratch) : undefined;
  const e2e = config.cases.has('e2e') ? await runE2eCase(config, scratch) : undefined;
  const replicas = config.cases.has('replicas')
    ? await runReplicasCase(config, scratch)
    : undefined;

  const max = (...values: (number | null | undefined)[]) => {
    const known = values.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
    return known.length > 0 ? Math.max(...known) : null;
  };
  const results: Results = {
    ...(ingress && { ingress }),
    ...(worker && { worker }),
    ...(e2e && { e2e }),
    ...(replicas && { replicas }),
    rssMb: {
      ingress: max(ingress?.peakRssMb, e2e?.peakRssMb.ingress),
      worker: max(worker?.peakRssMb, e2e?.peakRssMb.worker),
    },
  };
  const table = markdownTable(results);
  const finishedAt = new Date();
  // Only a full run replaces the committed results; a smoke or single-case run stays aside.
  const full = !config.quick && config.cases.size === CASE_NAMES.length;
  const resultsFile = full ? 'results.json' : 'results-partial.json';
  const cpu = cpus()[0]?.model ?? 'unknown';
  const how = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpu,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      node: process.version,
      ...versions,
    },
    pinning: pinning.note,
    processes:
      'apps run as in production, `node apps/<app>/dist/main.js` (the esbuild bundles, built at the start of the bench); bench servers (bare Express, plain pg loop) run as `node --import tsx`; LOG_LEVEL=warn; RSS is VmHWM of the node pid read from /proc at the end of each run',
    settings: settings(config),
  };
  writeFileSync(
    join(REPO_ROOT, 'bench', resultsFile),
    `${JSON.stringify({ startedAt, finishedAt, durationS: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000), how, table, results }, null, 2)}\n`,
  );
  process.stdout.write(
    `\n## tracksync benchmark (${config.quick ? 'quick smoke run' : `${config.repeats} runs per case`})\n\n` +
      `${how.machine.cpus} × ${cpu}, ${how.machine.memoryGb} GB, Node ${process.version}, PostgreSQL ${versions.postgres}, Redis ${versions.redis}\n` +
      `Pinning: ${pinning.note}\n\n${table}\n\nWritten to bench/${resultsFile} (${how.settings.cases.join(', ')}; ${Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000)} s).\n`,
  );
  clearTimeout(watchdog);
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    progress(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanupAll();
    process.exit(1);
  });
