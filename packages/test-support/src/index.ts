import { createDb, type DatabaseHandle } from '@tracksync/db';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { databaseUrlFor, onServer, uniqueName } from './databases';

export { discoverService, type ServiceSource } from './discover';
export { freePort, redisAnswers } from './services';
export { onProcessExit } from './exit-cleanup';
export { startRedisServer, type RedisServer, type RedisServerOptions } from './redis-server';
export { startRedisCluster, type RedisCluster } from './redis-cluster';
export { REPO_ROOT, repoPath } from './repo-root';
export { readStarshipitFixture, STARSHIPIT_FIXTURES } from './starshipit-fixtures';
export {
  startServiceProcess,
  type LogLine,
  type ServiceProcess,
  type ServiceProcessOptions,
} from './service-process';

export interface TestDatabase extends DatabaseHandle {
  readonly url: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of this test file's own, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('databaseServerUrl');
  const name = uniqueName('tracksync_test');
  await onServer(serverUrl, `create database "${name}" template "${inject('templateDatabase')}"`);
  const url = databaseUrlFor(serverUrl, name);
  const handle = createDb(url);
  return {
    ...handle,
    url,
    async drop() {
      const closed = allClientsClosed(handle.pool);
      await handle.close();
      await closed;
      await onServer(serverUrl, `drop database if exists "${name}" with (force)`);
    },
  };
}

/**
 * pool.end() resolves before its clients have finished closing; a forced drop in that window
 * terminates a closing connection, and the client's error then escapes as an unhandled one.
 */
function allClientsClosed(pool: DatabaseHandle['pool']): Promise<void> {
  let open = pool.totalCount;
  if (open === 0) return Promise.resolve();
  return new Promise((resolve) => {
    pool.on('remove', () => {
      open -= 1;
      if (open === 0) resolve();
    });
  });
}

export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A BullMQ prefix of this test file's own, so suites never see each other's jobs. */
export function uniqueQueuePrefix(): string {
  return `tracksync-test-${randomBytes(5).toString('hex')}`;
}

/** Deletes every key under a test's queue prefix. */
export async function deleteQueuePrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
export { STARSHIPIT_GUIDE_EXAMPLE } from './payloads';
export { startLocalServer, type LocalRequest, type LocalServer } from './local-http';
export { startFakeErp, type ErpUpdate, type FakeErp } from './fake-erp';
export { startFakeWooCommerce, type FakeWooCommerce, type WooStoreOrder } from './fake-woocommerce';
