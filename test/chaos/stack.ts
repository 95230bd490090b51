import { runMigrations } from '@tracksync/db';
import { startRedisServer, uniqueQueuePrefix, type RedisServer } from '@tracksync/test-support';
import { randomBytes } from 'node:crypto';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';
import { startServiceProcess, type ServiceProcess } from '@tracksync/test-support';
import type { FaultTargets } from './faults';
import { sleep } from './random';
import { startReceiver, type Receiver } from './receiver';
import {
  startFailingDestination,
  writeTwoDestinations,
  type FailingDestination,
} from './failing-destination';

/** Every process of a deployment, each of the test's own, on loopback. */
export interface ChaosStack {
  readonly ingressUrl: string;
  readonly webhookSecret: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly receiver: Receiver;
  /** With two destinations: the one that answers 503 throughout. */
  readonly failing: FailingDestination | null;
  /** Every worker process started, the killed ones included, for their logs. */
  readonly workers: readonly ServiceProcess[];
  readonly faults: FaultTargets;
  /** Processes that exited although the test did not kill them: pid and last stderr. */
  unexpectedExits(): string[];
  /** Stops everything that was started, whatever state it is in. */
  close(): Promise<void>;
}

const MID_DELIVERY_WAIT_MS = 3_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `ready` every few milliseconds, up to `timeoutMs`; then goes ahead regardless. */
async function waitUntil(ready: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ready() && performance.now() < deadline) await sleep(2);
}

/** Node processes start slowly on a busy two-core machine (tsx compiles on the fly). */
const PROCESS_START_TIMEOUT_MS = 60_000;

function workerEnv(
  stack: Pick<ChaosStack, 'databaseUrl' | 'redisUrl' | 'queuePrefix' | 'receiver'>,
  secret: string,
  destinationsFile: string | null,
) {
  return {
    ...(destinationsFile ? { TRACKSYNC_CONFIG: destinationsFile } : {}),
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    QUEUE_PREFIX: stack.queuePrefix,
    ADMIN_PORT: '0',
    SOURCE_ADAPTER: 'http',
    SOURCE_HTTP_URL: stack.receiver.url,
    SOURCE_HTTP_SECRET: secret,
    SOURCE_HTTP_TIMEOUT_MS: '5000',
    // A killed worker's jobs are back within seconds rather than a minute.
    WORKER_LOCK_MS: '2000',
    // Retries through a flapping sink in fractions of a second, not minutes.
    DELIVERY_BACKOFF_MS: '100',
    LOG_LEVEL: 'info',
  };
}

function startIngress(stack: Pick<ChaosStack, 'redisUrl' | 'queuePrefix' | 'webhookSecret'>) {
  return startServiceProcess({
    entry: 'apps/ingress/src/main.ts',
    env: {
      PORT: '0',
      REDIS_URL: stack.redisUrl,
      QUEUE_PREFIX: stack.queuePrefix,
      STARSHIPIT_WEBHOOK_SECRET: stack.webhookSecret,
      // Info shows the ready line; accepted webhooks are logged at debug, so stay quiet.
      LOG_LEVEL: 'info',
    },
    readyMessage: 'ingress listening',
    timeoutMs: PROCESS_START_TIMEOUT_MS,
  });
}

/**
 * Starts Postgres, Redis, the source system, the ingress and `workerProcesses` workers; with
 * `destinations` 2, also a destination that fails throughout.
 */
export async function startChaosStack(
  workerProcesses: number,
  random: () => number,
  destinations: 1 | 2 = 1,
): Promise<ChaosStack> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    return await assemble({ workerProcesses, random, destinations }, closers, close);
  } catch (err) {
    await close();
    throw err;
  }
}

async function assemble(
  {
    workerProcesses,
    random,
    destinations,
  }: { workerProcesses: number; random: () => number; destinations: 1 | 2 },
  closers: (() => Promise<unknown>)[],
  close: () => Promise<void>,
): Promise<ChaosStack> {
  const postgres = await startPrivatePostgres();
  closers.push(() => postgres.destroy());
  await runMigrations(postgres.url);
  const redis = await startRedisServer({ persistent: true });
  closers.push(() => redis.destroy());
  const sourceSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startReceiver(sourceSecret, random);
  closers.push(() => receiver.close());
  const failing = destinations === 2 ? await startFailingDestination() : null;
  if (failing) closers.push(() => failing.close());
  const file = failing ? await writeTwoDestinations(receiver.url, failing.url) : null;
  if (file) closers.push(() => file.remove());
  const webhookSecret = `chaos-${randomBytes(8).toString('hex')}`;
  const base = {
    webhookSecret,
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    queuePrefix: uniqueQueuePrefix(),
    receiver,
    failing,
  };
  const ingress = await startIngress(base);
  closers.push(() => ingress.stop());

  const workers: ServiceProcess[] = [];
  closers.push(() => Promise.all(workers.map((worker) => worker.stop())));
  const startWorker = async () => {
    const worker = await startServiceProcess({
      entry: 'apps/worker/src/main.ts',
      env: workerEnv(base, sourceSecret, file?.path ?? null),
      readyMessage: 'worker started',
      timeoutMs: PROCESS_START_TIMEOUT_MS,
    });
    workers.push(worker);
    return worker;
  };
  const live = await Promise.all(Array.from({ length: workerProcesses }, startWorker));
  const faults = faultTargets({ postgres, redis, receiver, live, startWorker });
  const unexpectedExits = () =>
    [ingress, ...live]
      .filter((child) => !isAlive(child.pid))
      .map((child) => `pid ${child.pid} exited: ${child.stderr().slice(-2_000)}`);
  return {
    ...base,
    unexpectedExits,
    ingressUrl: `http://127.0.0.1:${String(ingress.readyLine.port)}/callback/`,
    workers,
    faults,
    close,
  };
}

interface Breakable {
  readonly postgres: PrivatePostgres;
  readonly redis: RedisServer;
  readonly receiver: Receiver;
  /** The worker processes running now; a killed one's replacement takes its place. */
  readonly live: ServiceProcess[];
  readonly startWorker: () => Promise<ServiceProcess>;
}

function faultTargets({ postgres, redis, receiver, live, startWorker }: Breakable): FaultTargets {
  let killed = 0;
  const setFlapping = (flapping: boolean) => () => {
    receiver.flapping = flapping;
    return Promise.resolve();
  };
  return {
    redis: { inject: () => redis.kill(), heal: () => redis.restart() },
    postgres: { inject: () => postgres.stop(), heal: () => postgres.start() },
    sink: { inject: setFlapping(true), heal: setFlapping(false) },
    // Replicas are killed in turn, while a delivery is on its way when one comes within a
    // few seconds, so a job is left locked by a dead process for stalled-job recovery.
    worker: {
      inject: async () => {
        await waitUntil(() => receiver.inFlight > 0, MID_DELIVERY_WAIT_MS);
        await live[killed % live.length]?.kill();
      },
      heal: async () => {
        live[killed % live.length] = await startWorker();
        killed += 1;
      },
    },
  };
}
