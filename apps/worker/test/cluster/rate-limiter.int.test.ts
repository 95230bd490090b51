import { createWorkerConnection, redisTargetOf, type RedisClient } from '@tracksync/queue';
import { startFakeStarshipit, type FakeStarshipit } from '@tracksync/starshipit/testing';
import { Counter } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../src/config';
import { createStarshipitFromConfig } from '../../src/reconcile/starshipit';
import { busiestWindow } from '../reconcile-fixture';
import { useRedisCluster } from './cluster';

const LIMIT = 5;

describe('the Starshipit rate limiter on a three-node Redis Cluster', () => {
  const redis = useRedisCluster();
  let fake: FakeStarshipit;
  const connections: RedisClient[] = [];

  beforeAll(async () => {
    fake = await startFakeStarshipit({
      tracks: [{ tracking_number: 'TRK1', tracking_status: 'InTransit' }],
    });
  });

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.quit()));
    await fake.close();
  });

  /** One worker replica's client, wired as main.ts wires it: own cluster connection, same key. */
  function replica() {
    const config = loadWorkerConfig({
      ...redis.env,
      STARSHIPIT_API_URL: fake.url,
      STARSHIPIT_API_KEY: fake.apiKey,
      STARSHIPIT_SUBSCRIPTION_KEY: fake.subscriptionKey,
      STARSHIPIT_RATE_LIMIT_PER_SEC: String(LIMIT),
    });
    const connection = createWorkerConnection(redisTargetOf(config));
    connections.push(connection);
    const requests = new Counter({
      name: 'requests',
      help: 'requests',
      labelNames: ['endpoint', 'outcome'] as const,
      registers: [],
    });
    const client = createStarshipitFromConfig(config, connection, requests);
    if (!client) throw new Error('no Starshipit client: check the env');
    return client;
  }

  it('keeps two replicas, 30 calls at once, to 5 a second at the API, with its window on the hash tag node', async () => {
    const clients = [replica(), replica()];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 30 }, (_, n) => clients[n % 2]!.track({ trackingNumber: 'TRK1' })),
    );
    const elapsed = performance.now() - started;

    const arrivals = fake.requests.map((request) => request.arrivedAt);
    expect(arrivals).toHaveLength(30);
    expect(busiestWindow(arrivals, 1_000)).toBe(LIMIT);
    // 6 bursts of 5, 5 windows apart: the budget is used, not merely respected.
    expect(elapsed).toBeGreaterThanOrEqual(5 * 1_000 - 50);
    expect(elapsed).toBeLessThan(5 * 1_000 + 2_000);

    const owner = await redis.cluster.nodeFor(redis.prefix);
    const keys = await redis.keysByNode();
    expect(keys.get(owner.port)).toContain(`${redis.prefix}:starshipit-rate`);
    for (const [port, found] of keys) if (port !== owner.port) expect(found).toEqual([]);
  });
});
