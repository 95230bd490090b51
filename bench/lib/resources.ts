import { runMigrations } from '@tracksync/db';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { onCleanup } from './cleanup';
import { progress } from './out';

export interface Scratch {
  readonly databaseUrl: string;
  readonly databaseName: string;
  readonly prefix: string;
  readonly redisUrl: string;
  /** A small pool for the harness's own reads (counts, latencies); not the measured pool. */
  readonly pool: pg.Pool;
  readonly redis: Redis;
  /** redis-server's pid when it runs on this machine (for CPU accounting), else null. */
  readonly redisPid: number | null;
  /** Empties the event log, projection and outbox between runs. */
  truncate(): Promise<void>;
  /** Deletes every Redis key under the prefix (no app may be using it at the time). */
  clearQueues(): Promise<number>;
}

function urlForDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  // Bounded: a prefix holds at most what this bench put there.
  for (let round = 0; round < 100_000; round += 1) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
    if (cursor === '0') break;
  }
  return deleted;
}

/** A migrated scratch database and a unique queue prefix; both removed by cleanupAll. */
export async function createScratch(serverUrl: string, redisUrl: string): Promise<Scratch> {
  const tag = randomBytes(4).toString('hex');
  const databaseName = `tracksync_bench_${tag}`;
  const prefix = `tracksync-bench-${tag}`;
  await onServer(serverUrl, `create database "${databaseName}"`);
  onCleanup(`database ${databaseName}`, async () => {
    await onServer(serverUrl, `drop database if exists "${databaseName}" with (force)`);
    progress(`dropped database ${databaseName}`);
  });
  const databaseUrl = urlForDatabase(serverUrl, databaseName);
  await runMigrations(databaseUrl);

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  onCleanup(`redis prefix ${prefix}`, async () => {
    const deleted = await deletePrefix(redis, prefix);
    redis.disconnect();
    progress(`deleted ${deleted} redis keys under ${prefix}`);
  });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  onCleanup('harness pool', () => pool.end());
  const info = await redis.info('server');
  const redisPid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(redisUrl).hostname);
  return {
    databaseUrl,
    databaseName,
    prefix,
    redisUrl,
    pool,
    redis,
    redisPid: local && redisPid > 0 ? redisPid : null,
    async truncate() {
      await pool.query(
        'truncate tracking_events, shipments, deliveries, delivery_attempts restart identity',
      );
    },
    clearQueues: () => deletePrefix(redis, prefix),
  };
}
