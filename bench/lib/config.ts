/** Benchmark settings: defaults keep a full run near five minutes; `--quick` is a smoke run. */
export interface BenchConfig {
  readonly quick: boolean;
  readonly cases: ReadonlySet<CaseName>;
  /** Runs per case (median and spread are over these). */
  readonly repeats: number;
  /** Ingress case: measured seconds per run, after `warmupS` of unmeasured load. */
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
  /** Worker case: events per run, and the bound on one run. */
  readonly workerEvents: number;
  readonly workerTimeoutS: number;
  readonly workerConcurrency: number;
  /**
   * End to end with this many destinations (BENCH_DESTINATIONS, 1 or 2): with 2 the worker
   * also delivers every change to a second sink, and latency is measured at the first.
   */
  readonly e2eDestinations: 1 | 2;
  /** End to end: steady offered rate and its duration per run. */
  readonly e2eRate: number;
  readonly e2eDurationS: number;
  /** How long after the last send a steady run waits for its last deliveries. */
  readonly e2eGraceS: number;
  /** Maximum sustainable rate search: first offered rate, step length, growth, step cap. */
  /** null: start at 90% of what the steady run delivered per second (or the steady rate when it kept up). */
  readonly maxRateStart: number | null;
  readonly maxRateStepS: number;
  readonly maxRateFactor: number;
  readonly maxRateSteps: number;
  /** Replicas case: the worker process counts compared, and each one's steady window. */
  readonly replicaCounts: readonly number[];
  readonly replicaSteadyS: number;
  /** Grace after the last send of a step within which every event must be delivered. */
  readonly maxRateGraceMs: number;
  /** A step whose p99 received→delivered exceeds this is not sustainable. */
  readonly maxRateP99Ms: number;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** CPUs for the pinned processes, or null when taskset or a second core is missing. */
  readonly ingressCpu: number | null;
  readonly loadCpu: number | null;
}

export const CASE_NAMES = ['ingress', 'worker', 'e2e', 'replicas'] as const;
export type CaseName = (typeof CASE_NAMES)[number];

function isCaseName(name: string): name is CaseName {
  return (CASE_NAMES as readonly string[]).includes(name);
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name}: must be a positive number, got "${raw}"`);
  }
  return value;
}

/** `BENCH_REPLICAS=1,2,3`: whole numbers from 1 to 8. */
function replicaCounts(env: NodeJS.ProcessEnv, fallback: readonly number[]): number[] {
  const raw = env.BENCH_REPLICAS;
  if (raw === undefined || raw.trim() === '') return [...fallback];
  const counts = raw.split(',').map((part) => Number(part.trim()));
  if (counts.some((count) => !Number.isInteger(count) || count < 1 || count > 8)) {
    throw new Error(`BENCH_REPLICAS: whole numbers from 1 to 8, comma-separated, got "${raw}"`);
  }
  return counts;
}

function cases(env: NodeJS.ProcessEnv): Set<CaseName> {
  const raw = env.BENCH_CASES;
  if (raw === undefined || raw.trim() === '') return new Set(CASE_NAMES);
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !isCaseName(name));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_CASES: unknown case(s) ${unknown.join(', ')}; known: ${CASE_NAMES.join(', ')}`,
    );
  }
  return new Set(names.filter(isCaseName));
}

export function loadBenchConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  pinning: { readonly ingressCpu: number | null; readonly loadCpu: number | null },
): BenchConfig {
  const quick = argv.includes('--quick') || env.BENCH_QUICK === '1';
  const int = (name: string, full: number, smoke: number) =>
    Math.round(positiveNumber(env, name, quick ? smoke : full));
  return {
    quick,
    cases: cases(env),
    repeats: int('BENCH_REPEATS', 3, 1),
    durationS: int('BENCH_DURATION_S', 10, 2),
    warmupS: int('BENCH_WARMUP_S', 2, 1),
    connections: int('BENCH_CONNECTIONS', 50, 50),
    workerEvents: int('BENCH_WORKER_EVENTS', 1500, 300),
    workerTimeoutS: int('BENCH_WORKER_TIMEOUT_S', 60, 30),
    workerConcurrency: int('BENCH_WORKER_CONCURRENCY', 8, 8),
    e2eDestinations: env.BENCH_DESTINATIONS === '2' ? 2 : 1,
    e2eRate: int('BENCH_E2E_RATE', 200, 200),
    e2eDurationS: int('BENCH_E2E_DURATION_S', 30, 3),
    e2eGraceS: int('BENCH_E2E_GRACE_S', 15, 5),
    maxRateStart:
      env.BENCH_MAXRATE_START === undefined || env.BENCH_MAXRATE_START === 'auto'
        ? null
        : int('BENCH_MAXRATE_START', 200, 200),
    replicaCounts: replicaCounts(env, quick ? [1, 2] : [1, 2, 3]),
    replicaSteadyS: int('BENCH_REPLICA_STEADY_S', 10, 3),
    maxRateStepS: int('BENCH_MAXRATE_STEP_S', 5, 2),
    maxRateFactor: positiveNumber(env, 'BENCH_MAXRATE_FACTOR', 1.25),
    maxRateSteps: int('BENCH_MAXRATE_STEPS', 7, 2),
    maxRateGraceMs: int('BENCH_MAXRATE_GRACE_MS', 2000, 2000),
    maxRateP99Ms: int('BENCH_MAXRATE_P99_MS', 1000, 1000),
    databaseUrl:
      env.BENCH_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    ...pinning,
  };
}
