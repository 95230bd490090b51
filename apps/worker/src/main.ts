import { createDb } from '@tracksync/db';
import {
  closeQueues,
  createProducerConnection,
  createQueues,
  createWorkerConnection,
  describeRedisTarget,
  onRedisErrors,
  readinessPing,
  redisTargetOf,
  watchForClusterNode,
} from '@tracksync/queue';
import {
  closeHttpServer,
  ConfigError,
  createLogger,
  httpTimeoutsOf,
  onShutdown,
} from '@tracksync/runtime';
import { createAdminApp } from './admin/app';
import { loadOrReport, loadWorkerConfig } from './config';
import { buildDestinations } from './destinations/build';
import { createDestinationControl, slotShare } from './destinations/control';
import type { DestinationSet } from './destinations/set';
import { createWorkerMetrics } from './metrics';
import { listen } from './server';
import { createStarshipitFromConfig } from './reconcile/starshipit';
import { installReconcileSchedule } from './schedules';
import { createWorkers } from './workers';

async function main(): Promise<void> {
  const config = loadOrReport('worker', () => loadWorkerConfig());
  if (!config) return;
  const log = createLogger('worker', config.LOG_LEVEL);
  const destinations = await loadDestinationsOrReport(config, log);
  if (!destinations) return;

  // Delivery runs WORKER_CONCURRENCY jobs, each holding one connection at a time; ingest
  // holds two for its group commits, plus one per event that falls back to the single path.
  // The spare ones serve parked payloads, reconciliation, probes and scrapes.
  const database = createDb(config.DATABASE_URL, { max: 2 * config.WORKER_CONCURRENCY + 4 });
  // An idle client dies when Postgres restarts; unhandled, that event would end the process.
  database.pool.on('error', (err) => {
    log.warn({ err }, 'idle postgres connection lost');
  });

  const redisTarget = redisTargetOf(config);
  const connection = createWorkerConnection(redisTarget);
  // Queues here feed /metrics, /readyz, Bull Board and the ops API's match and replay; a
  // producer connection fails at once while Redis is away, so a scrape, a probe or an
  // operator gets an answer instead of waiting for the reconnect.
  const adminConnection = createProducerConnection(redisTarget);
  for (const [name, client] of [
    ['worker', connection],
    ['admin', adminConnection],
  ] as const) {
    onRedisErrors(client, (err) => {
      log.warn({ err, connection: name }, 'redis connection error');
    });
  }
  watchForClusterNode(adminConnection, (problem) => {
    log.fatal(problem);
    process.exit(1);
  });
  const queues = createQueues({
    connection: adminConnection,
    prefix: config.QUEUE_PREFIX,
    onError: (err, queue) => {
      log.warn({ err, queue }, 'queue error');
    },
  });

  const metrics = createWorkerMetrics({
    queues,
    db: database.db,
    log,
    staleAfterMs: config.STALE_AFTER,
    destinations: destinations.names,
  });
  const control = createDestinationControl({
    redis: connection,
    prefix: config.QUEUE_PREFIX,
    slotsPerDestination: slotShare(config.WORKER_CONCURRENCY, destinations.all.length),
  });
  const starshipit = createStarshipitFromConfig(
    config,
    adminConnection,
    metrics.starshipitRequests,
  );
  metrics.reconcileEnabled.set(starshipit === null ? 0 : 1);
  const admin = createAdminApp({
    pool: database.pool,
    redis: readinessPing(adminConnection, config.QUEUE_PREFIX),
    sessionRedis: adminConnection,
    registry: metrics.registry,
    db: database.db,
    queues,
    config,
    log,
    destinations,
    control,
    reconcileEnabled: starshipit !== null,
  });
  // Bind the admin port before taking jobs: a replica that cannot be probed should not work.
  const server = await listen(admin, config.ADMIN_PORT, httpTimeoutsOf(config)).catch(
    (err: unknown) => {
      log.fatal({ err, port: config.ADMIN_PORT }, 'admin port unavailable');
      process.exit(1);
    },
  );
  const workers = createWorkers({
    config,
    db: database.db,
    connection,
    queues,
    destinations,
    control,
    starshipit,
    log,
    metrics,
  });
  await installReconcileSchedule(queues, {
    enabled: starshipit !== null,
    everyMs: config.RECONCILE_EVERY,
    log,
  }).catch((err: unknown) => {
    // Redis may be down at start; the next start installs it. Webhooks flow meanwhile.
    log.error({ err }, 'could not install the reconciliation schedule');
  });
  log.info(
    {
      adminPort: config.ADMIN_PORT,
      queuePrefix: config.QUEUE_PREFIX,
      redis: describeRedisTarget(redisTarget),
      concurrency: config.WORKER_CONCURRENCY,
      ingestConcurrency: config.INGEST_CONCURRENCY,
      ingestBatchMax: config.INGEST_BATCH_MAX,
      destinations: destinations.all.map((d) => `${d.name} (${d.summary.adapter})`),
    },
    'worker started',
  );

  onShutdown(log, [
    ['admin server', () => closeHttpServer(server)],
    ['workers', () => workers.close()],
    ['queues', () => closeQueues(queues)],
    ['redis', () => Promise.all([connection.quit(), adminConnection.quit()])],
    ['postgres', () => database.close()],
  ]);
}

/** The destinations; a bad file or module ends the start with one line naming the key. */
async function loadDestinationsOrReport(
  config: Parameters<typeof buildDestinations>[0],
  log: Parameters<typeof buildDestinations>[1]['log'],
): Promise<DestinationSet | null> {
  try {
    return await buildDestinations(config, { env: process.env, log });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`worker: invalid configuration: ${err.message}\n`);
    process.exitCode = 1;
    return null;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`worker: failed to start: ${String(err)}\n`);
  process.exit(1);
});
