import {
  closeQueues,
  createProducerConnection,
  createQueues,
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
  serveHttp,
} from '@tracksync/runtime';
import { createApp } from './app';
import { loadIngressConfig, type IngressConfig } from './config';
import { createRedisErrorLog } from './redis-errors';

function loadConfigOrExit(): IngressConfig {
  try {
    return loadIngressConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The logger's level is itself configuration, so this one line goes straight to stderr.
    process.stderr.write(`ingress: invalid configuration: ${err.message}\n`);
    process.exit(1);
  }
}

const config = loadConfigOrExit();
const log = createLogger('ingress', config.LOG_LEVEL);
const redisTarget = redisTargetOf(config);
const redis = createProducerConnection(redisTarget);
const logRedisError = createRedisErrorLog(log);
onRedisErrors(redis, logRedisError);
watchForClusterNode(redis, (problem) => {
  log.fatal(problem);
  process.exit(1);
});
redis.on('ready', () => {
  log.info('redis ready');
});
const queues = createQueues({
  connection: redis,
  prefix: config.QUEUE_PREFIX,
  onError: logRedisError,
});

if (config.STARSHIPIT_WEBHOOK_SECRET.length === 0) {
  log.warn(
    'STARSHIPIT_WEBHOOK_SECRET is not set: webhook signatures are not checked, anyone can post events',
  );
}

const app = createApp({
  config,
  queues,
  redis: readinessPing(redis, config.QUEUE_PREFIX),
  log,
});
const server = await serveHttp(app, { port: config.PORT, timeouts: httpTimeoutsOf(config) }).catch(
  (err: unknown) => {
    log.fatal({ err, port: config.PORT }, 'cannot listen');
    process.exit(1);
  },
);
const address = server.address();
log.info(
  {
    port: typeof address === 'object' && address !== null ? address.port : config.PORT,
    queuePrefix: config.QUEUE_PREFIX,
    redis: describeRedisTarget(redisTarget),
    secretCount: config.STARSHIPIT_WEBHOOK_SECRET.length,
    maxBodyBytes: config.MAX_BODY_BYTES,
    headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
  },
  'ingress listening',
);

onShutdown(log, [
  ['http server', () => closeHttpServer(server)],
  ['queues', () => closeQueues(queues)],
  [
    'redis',
    async () => {
      try {
        await redis.quit();
      } catch {
        // QUIT cannot reach a Redis that is down; dropping the socket is all that is left.
        redis.disconnect();
      }
    },
  ],
]);
