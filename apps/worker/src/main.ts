import { createSourceAdapter } from '@tracksync/adapters';
import { createDb } from '@tracksync/db';
import {
  closeQueues,
  createProducerConnection,
  createQueues,
  createWorkerConnection,
} from '@tracksync/queue';
import { createLogger, onShutdown } from '@tracksync/runtime';
import { createAdminApp } from './admin/app';
import { loadOrReport, loadWorkerConfig } from './config';
import { createWorkerMetrics } from './metrics';
import { closeServer, listen } from './server';
import { createWorkers } from './workers';

async function main(): Promise<void> {
  const config = loadOrReport('worker', () => loadWorkerConfig());
  if (!config) return;
  const log = createLogger('worker', config.LOG_LEVEL);

  // Each job in flight holds one connection; the spare ones serve parked payloads and probes.
  const database = createDb(config.DATABASE_URL, { max: config.WORKER_CONCURRENCY + 4 });
  // An idle client dies when Postgres restarts; unhandled, that event would end the process.
  database.pool.on('error', (err) => {
    log.warn({ err }, 'idle postgres connection lost');
  });

  const connection = createWorkerConnection(config.REDIS_URL);
  // Queues here only feed /metrics and /readyz: a producer connection fails at once while
  // Redis is away, so a scrape or a probe answers instead of waiting for the reconnect.
  const adminConnection = createProducerConnection(config.REDIS_URL);
  for (const [name, client] of [
    ['worker', connection],
    ['admin', adminConnection],
  ] as const) {
    client.on('error', (err) => {
      log.warn({ err, connection: name }, 'redis connection error');
    });
  }
  const queues = createQueues({ connection: adminConnection, prefix: config.QUEUE_PREFIX });
  for (const queue of Object.values(queues)) {
    queue.on('error', (err) => {
      log.warn({ err, queue: queue.name }, 'queue error');
    });
  }

  const metrics = createWorkerMetrics({ queues, db: database.db, log });
  const adapter = createSourceAdapter(config, log);
  const admin = createAdminApp({
    pool: database.pool,
    redis: adminConnection,
    registry: metrics.registry,
    log,
  });
  // Bind the admin port before taking jobs: a replica that cannot be probed should not work.
  const server = await listen(admin, config.ADMIN_PORT).catch((err: unknown) => {
    log.fatal({ err, port: config.ADMIN_PORT }, 'admin port unavailable');
    process.exit(1);
  });
  const workers = createWorkers({
    config,
    db: database.db,
    connection,
    queues,
    adapter,
    log,
    metrics,
  });
  log.info(
    {
      adminPort: config.ADMIN_PORT,
      queuePrefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      sourceAdapter: adapter.name,
    },
    'worker started',
  );

  onShutdown(log, [
    ['admin server', () => closeServer(server)],
    ['workers', () => workers.close()],
    ['queues', () => closeQueues(queues)],
    ['redis', () => Promise.all([connection.quit(), adminConnection.quit()])],
    ['postgres', () => database.close()],
  ]);
}

main().catch((err: unknown) => {
  process.stderr.write(`worker: failed to start: ${String(err)}\n`);
  process.exit(1);
});
