import { Redis } from 'ioredis';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRedisServer, type RedisServer } from './redis-server';
import { freePort } from './services';

const run = promisify(execFile);

/** A Redis Cluster of the test's own: masters only, each with production persistence. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** The value for REDIS_CLUSTER_NODES: every node's `127.0.0.1:port`. */
  readonly seeds: string;
  /** The node whose slots include `key`'s (for a hash-tagged prefix, every key under it). */
  nodeFor(key: string): Promise<RedisServer>;
  /** Starts a killed node again from its own files and waits until the cluster is whole. */
  restartNode(node: RedisServer): Promise<void>;
  destroy(): Promise<void>;
}

const SETTLE_TIMEOUT_MS = 20_000;

/**
 * `count` redis-servers with `--cluster-enabled yes` and AOF (`appendfsync always`), each with
 * its bus on a free port of its own (`port + 10000` may not exist), joined by
 * `redis-cli --cluster create … --cluster-replicas 0`. Resolves once every node reports
 * `cluster_state:ok` with all 16384 slots served.
 */
export async function startRedisCluster(count = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const destroy = async () => {
    await Promise.all(nodes.map((node) => node.destroy()));
  };
  try {
    for (let n = 0; n < count; n += 1) {
      const args = ['--cluster-enabled', 'yes', '--cluster-port', String(await freePort())];
      nodes.push(await startRedisServer({ persistent: true, args }));
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', [
      ...['--cluster', 'create', ...addresses],
      ...['--cluster-replicas', '0', '--cluster-yes'],
    ]);
    await waitUntilWhole(nodes);
    return {
      nodes,
      seeds: addresses.join(','),
      nodeFor: (key) => ownerOf(nodes, key),
      async restartNode(node) {
        await node.restart();
        await waitUntilWhole(nodes);
      },
      destroy,
    };
  } catch (err) {
    await destroy();
    throw err;
  }
}

async function withNode<T>(node: RedisServer, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(node.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** Every node sees the whole cluster healthy: all slots served, every node known. */
async function waitUntilWhole(nodes: readonly RedisServer[]): Promise<void> {
  const whole = (info: string) =>
    info.includes('cluster_state:ok') &&
    info.includes('cluster_slots_ok:16384') &&
    info.includes(`cluster_known_nodes:${nodes.length}`);
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const infos = await Promise.all(
      nodes.map((node) => withNode(node, (redis) => redis.cluster('INFO')).catch(() => '')),
    );
    if (infos.every(whole)) return;
    if (Date.now() > deadline) throw new Error(`the cluster did not settle: ${infos.join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ownerOf(nodes: readonly RedisServer[], key: string): Promise<RedisServer> {
  const [first] = nodes;
  if (!first) throw new Error('the cluster has no nodes');
  const { slot, ranges } = await withNode(first, async (redis) => ({
    slot: await redis.cluster('KEYSLOT', key),
    ranges: await redis.cluster('SLOTS'),
  }));
  const range = ranges.find(([start, end]) => slot >= start && slot <= end);
  const owner = nodes.find((node) => node.port === range?.[2]?.[1]);
  if (!owner) throw new Error(`no node serves slot ${slot} of ${key}`);
  return owner;
}
