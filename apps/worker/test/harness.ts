import type { SourceAdapter } from '@tracksync/adapters';
import { dedupKey, parseTrackingPayload } from '@tracksync/domain';
import type { StarshipitClient } from '@tracksync/starshipit';
import {
  closeQueues,
  createQueues,
  createWorkerConnection,
  redisTargetOf,
  type Queues,
  type RedisClient,
  type TrackingEventJob,
} from '@tracksync/queue';
import {
  createTestDatabase,
  deleteQueuePrefix,
  testRedisUrl,
  uniqueQueuePrefix,
  type LogLine,
  type TestDatabase,
} from '@tracksync/test-support';
import type { Queue } from 'bullmq';
import { pino, type Logger } from 'pino';
import { loadWorkerConfig, type WorkerConfig } from '../src/config';
import { createWorkerMetrics, type WorkerMetrics } from '../src/metrics';
import { createStarshipitFromConfig } from '../src/reconcile/starshipit';
import { buildDestinations } from '../src/destinations/build';
import {
  createDestinationControl,
  slotShare,
  type DestinationControl,
} from '../src/destinations/control';
import type { DestinationSet } from '../src/destinations/set';

/** A real Postgres database and a Redis prefix of this test file's own, plus what wires them. */
export interface WorkerHarness {
  readonly database: TestDatabase;
  /** The shared test Redis; unused when the env names a cluster (REDIS_CLUSTER_NODES). */
  readonly redisUrl: string;
  readonly config: WorkerConfig;
  readonly connection: RedisClient;
  readonly queues: Queues;
  readonly metrics: WorkerMetrics;
  /** The first destination's adapter (the only one without a destinations file). */
  readonly adapter: SourceAdapter;
  readonly destinations: DestinationSet;
  readonly control: DestinationControl;
  /** Set when the harness env names Starshipit credentials (e.g. a fake API's URL). */
  readonly starshipit: StarshipitClient | null;
  readonly db: TestDatabase['db'];
  readonly log: Logger;
  /** Every line logged through `log`, parsed. */
  readonly lines: LogLine[];
  close(): Promise<void>;
}

/**
 * `env` adds to or overrides the worker settings, e.g. `{ SOURCE_ADAPTER: 'http', … }`, or
 * `{ TRACKSYNC_CONFIG: path }` with the variables its `${…}` references name.
 */
export async function startHarness(env: NodeJS.ProcessEnv = {}): Promise<WorkerHarness> {
  const database = await createTestDatabase();
  const redisUrl = testRedisUrl();
  const config = loadWorkerConfig({
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: uniqueQueuePrefix(),
    WORKER_CONCURRENCY: '4',
    ...env,
  });
  const lines: LogLine[] = [];
  const log = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  );
  const connection = createWorkerConnection(redisTargetOf(config));
  const queues = createQueues({
    connection,
    prefix: config.QUEUE_PREFIX,
    onError: (err, queue) => {
      log.warn({ err, queue }, 'queue error');
    },
  });
  const destinations = await buildDestinations(config, { env, log });
  const metrics = createWorkerMetrics({
    queues,
    db: database.db,
    log,
    staleAfterMs: config.STALE_AFTER,
    destinations: destinations.names,
  });
  const [first] = destinations.all;
  if (!first) throw new Error('a destination set is never empty');
  return {
    database,
    db: database.db,
    adapter: first.adapter,
    destinations,
    control: createDestinationControl({
      redis: connection,
      prefix: config.QUEUE_PREFIX,
      slotsPerDestination: slotShare(config.WORKER_CONCURRENCY, destinations.all.length),
    }),
    starshipit: createStarshipitFromConfig(config, connection, metrics.starshipitRequests),
    redisUrl,
    config,
    connection,
    queues,
    metrics,
    log,
    lines,
    async close() {
      await closeQueues(queues);
      // A test's cluster is its own and goes away whole.
      if (!config.REDIS_CLUSTER_NODES) await deleteQueuePrefix(redisUrl, config.QUEUE_PREFIX);
      await connection.quit();
      await database.drop();
    },
  };
}

/** Polls until `probe` returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function waitForJobState(queue: Queue, jobId: string, state: string) {
  return waitFor(`job ${jobId} to be ${state}`, async () => {
    const current = await queue.getJobState(jobId);
    return current === state ? queue.getJob(jobId) : null;
  });
}

/** No ingest or delivery job waiting, running or delayed: everything sent has been handled. */
export async function waitUntilQuiet(harness: WorkerHarness, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    'the ingest and delivery queues to drain',
    async () => {
      const counts = await Promise.all(
        [harness.queues.ingest, harness.queues.delivery].map((queue) =>
          queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
        ),
      );
      return counts.every((count) => Object.values(count).every((n) => n === 0));
    },
    timeoutMs,
  );
}

/** The job the ingress would enqueue for `payload`. */
export function trackingEventJob(
  payload: Record<string, unknown>,
  source: TrackingEventJob['source'] = 'webhook',
): TrackingEventJob {
  const parsed = parseTrackingPayload(payload, 'UTC');
  if (!parsed.ok) throw new Error(`test payload is invalid: ${JSON.stringify(parsed.issues)}`);
  return {
    eventId: dedupKey(parsed.event),
    source,
    receivedAt: new Date().toISOString(),
    event: parsed.event,
    payload,
  };
}

export { STARSHIPIT_GUIDE_EXAMPLE as GUIDE_EXAMPLE_PAYLOAD } from '@tracksync/test-support';
