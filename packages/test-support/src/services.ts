import { Redis } from 'ioredis';
import { once } from 'node:events';
import { createServer } from 'node:net';
import pg from 'pg';
import type { ServiceSource } from './discover';

export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_500 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // A refused connection is the answer here, not an error worth printing.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export const postgresSource: ServiceSource = {
  name: 'PostgreSQL',
  envVariable: 'DATABASE_URL',
  envValue: process.env.DATABASE_URL,
  localUrl: LOCAL_DATABASE_URL,
  answers: postgresAnswers,
  dockerAvailable,
  async startContainer() {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    return { url: container.getConnectionUri(), stop: () => container.stop() };
  },
};

export const redisSource: ServiceSource = {
  name: 'Redis',
  envVariable: 'REDIS_URL',
  envValue: process.env.REDIS_URL,
  localUrl: LOCAL_REDIS_URL,
  answers: redisAnswers,
  dockerAvailable,
  async startContainer() {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    return { url: container.getConnectionUrl(), stop: () => container.stop() };
  },
};

/** A local port nothing listens on right now: connections to it are refused at once. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}
