import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A connection to Redis, whichever kind: BullMQ and the rate limiter take both. */
export type RedisClient = Redis | Cluster;

/** The seed nodes of a Redis Cluster (see `REDIS_CLUSTER_NODES` in @tracksync/runtime). */
export interface ClusterSeeds {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

/** A `redis://` URL for one server, or the seeds of a cluster. */
export type RedisTarget = string | ClusterSeeds;

/**
 * The one place that decides standalone or cluster: the cluster's seeds when
 * `REDIS_CLUSTER_NODES` is set, else `REDIS_URL`.
 */
export function redisTargetOf(config: {
  readonly REDIS_URL: string;
  readonly REDIS_CLUSTER_NODES?: ClusterSeeds | undefined;
}): RedisTarget {
  return config.REDIS_CLUSTER_NODES ?? config.REDIS_URL;
}

/** Where a target points, for the start-up log line (never a password). */
export function describeRedisTarget(target: RedisTarget): Record<string, unknown> {
  if (typeof target !== 'string') {
    return { mode: 'cluster', seeds: target.nodes.map(({ host, port }) => `${host}:${port}`) };
  }
  const url = new URL(target);
  return { mode: 'standalone', server: url.host };
}

const reconnectDelayMs = (attempt: number) => Math.min(attempt * 200, 2_000);

/**
 * For producers (the ingress, the worker's admin side): commands fail at once while Redis is
 * away instead of queueing in memory, so a webhook gets a quick 503 and Starshipit can try
 * again later. The client keeps reconnecting in the background, so intake resumes by itself.
 */
export function createProducerConnection(target: string, options?: RedisOptions): Redis;
export function createProducerConnection(target: RedisTarget, options?: RedisOptions): RedisClient;
export function createProducerConnection(
  target: RedisTarget,
  options: RedisOptions = {},
): RedisClient {
  const perServer: RedisOptions = { maxRetriesPerRequest: 1, connectTimeout: 1_000, ...options };
  if (typeof target === 'string') {
    return new Redis(target, {
      enableOfflineQueue: false,
      retryStrategy: reconnectDelayMs,
      ...perServer,
    });
  }
  // ioredis queues per node regardless; the cluster-wide switch is what fails fast. A command
  // for a slot whose node is down is still retried on a fresh slot map every 100 ms, up to 16
  // times (about a second): a webhook that arrives as the node returns gets its 200 rather
  // than a 503, and the ingress's 1.5 s enqueue deadline bounds the wait either way.
  return createCluster(target, { enableOfflineQueue: false }, perServer);
}

/**
 * For workers: BullMQ requires blocking commands to wait through reconnects, not fail. On a
 * cluster the setting belongs to every node's connection, which is where BullMQ looks.
 */
export function createWorkerConnection(target: string, options?: RedisOptions): Redis;
export function createWorkerConnection(target: RedisTarget, options?: RedisOptions): RedisClient;
export function createWorkerConnection(
  target: RedisTarget,
  options: RedisOptions = {},
): RedisClient {
  const perServer: RedisOptions = { maxRetriesPerRequest: null, ...options };
  if (typeof target === 'string') {
    return new Redis(target, { retryStrategy: reconnectDelayMs, ...perServer });
  }
  return createCluster(target, {}, perServer);
}

function createCluster(
  seeds: ClusterSeeds,
  options: ClusterOptions,
  perServer: RedisOptions,
): Cluster {
  return new Cluster(
    seeds.nodes.map(({ host, port }) => ({ host, port })),
    {
      clusterRetryStrategy: reconnectDelayMs,
      ...options,
      redisOptions: {
        ...(seeds.username ? { username: seeds.username } : {}),
        ...(seeds.password ? { password: seeds.password } : {}),
        ...(seeds.tls ? { tls: {} } : {}),
        ...perServer,
      },
    },
  );
}

const CLUSTER_NODE_AT_REDIS_URL =
  'REDIS_URL: points at a Redis Cluster node; set REDIS_CLUSTER_NODES instead (and a hash tag in QUEUE_PREFIX)';

/**
 * Calls `onFound` once `client` (from REDIS_URL) turns out to reach a node of a Redis Cluster:
 * a plain client there works only for the keys of that node's slots and fails the rest with
 * MOVED, so such a deployment must use REDIS_CLUSTER_NODES instead. Checked on every connect,
 * since Redis may be down at start; a server that refuses INFO is given the benefit of doubt.
 */
export function watchForClusterNode(client: RedisClient, onFound: (problem: string) => void): void {
  if (client instanceof Cluster) return;
  client.on('ready', () => {
    client.info('cluster').then(
      (info) => {
        if (/^cluster_enabled:1\s*$/m.test(info)) onFound(CLUSTER_NODE_AT_REDIS_URL);
      },
      () => undefined,
    );
  });
}

/** What readiness asks of Redis. */
export interface RedisPing {
  ping(): Promise<unknown>;
}

/**
 * On a cluster a PING reaches whichever node the client picks, which says nothing about the
 * node holding this deployment's slot; a read of a key under the prefix goes to that node.
 */
export function readinessPing(client: RedisClient, prefix: string): RedisPing {
  if (client instanceof Cluster) return { ping: () => client.exists(`${prefix}:readiness`) };
  return client;
}

/**
 * Sends a client's errors to `onError`. A cluster also reports each lost node on its own
 * (`node error`); without a listener those would pass unlogged.
 */
export function onRedisErrors(client: RedisClient, onError: (err: unknown) => void): void {
  client.on('error', onError);
  if (client instanceof Cluster) client.on('node error', onError);
}
