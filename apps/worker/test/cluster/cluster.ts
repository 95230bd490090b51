import { startRedisCluster, uniqueQueuePrefix, type RedisCluster } from '@tracksync/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

export interface ClusterForTests {
  readonly cluster: RedisCluster;
  /** A prefix of this file's own, hash-tagged as a cluster requires: `{tracksync-test-…}`. */
  readonly prefix: string;
  /** REDIS_CLUSTER_NODES and QUEUE_PREFIX, for an app's environment. */
  readonly env: { readonly REDIS_CLUSTER_NODES: string; readonly QUEUE_PREFIX: string };
  /** Every key matching `pattern` (default: under the prefix), by the port of its node. */
  keysByNode(pattern?: string): Promise<Map<number, string[]>>;
}

/** A three-node Redis Cluster of this test file's own, started before and removed after it. */
export function useRedisCluster(): ClusterForTests {
  const prefix = `{${uniqueQueuePrefix()}}`;
  let cluster: RedisCluster | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });
  const running = () => {
    if (!cluster) throw new Error('the cluster starts in beforeAll');
    return cluster;
  };
  return {
    get cluster() {
      return running();
    },
    prefix,
    get env() {
      return { REDIS_CLUSTER_NODES: running().seeds, QUEUE_PREFIX: prefix };
    },
    async keysByNode(pattern = `${prefix}:*`) {
      const found = new Map<number, string[]>();
      for (const node of running().nodes) {
        const redis = new Redis(node.url);
        try {
          found.set(node.port, await redis.keys(pattern));
        } finally {
          redis.disconnect();
        }
      }
      return found;
    },
  };
}
