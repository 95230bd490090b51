import { deleteQueuePrefix, testRedisUrl, uniqueQueuePrefix } from '@tracksync/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStarshipitClient } from './client';
import { createRedisRateLimiter } from './rate-limiter';
import { startFakeStarshipit, type FakeStarshipit } from '../test/fake-starshipit';

const redisUrl = testRedisUrl();
const prefix = uniqueQueuePrefix();
// Two connections stand for two worker replicas: nothing is shared but Redis.
const replicaA = new Redis(redisUrl);
const replicaB = new Redis(redisUrl);
let fake: FakeStarshipit;

beforeAll(async () => {
  fake = await startFakeStarshipit({
    tracks: [{ tracking_number: 'TRK1', tracking_status: 'InTransit' }],
  });
});

afterAll(async () => {
  await fake.close();
  await deleteQueuePrefix(redisUrl, prefix);
  replicaA.disconnect();
  replicaB.disconnect();
});

/** The most arrivals in any span of `windowMs` starting at an arrival: checks every pair. */
function busiestWindow(arrivals: readonly number[], windowMs: number): number {
  return Math.max(
    ...arrivals.map(
      (start) => arrivals.filter((at) => at >= start && at < start + windowMs).length,
    ),
  );
}

describe('redis rate limiter', () => {
  it('keeps two replicas, 40 calls at once, to 5 per second at the API', async () => {
    const key = `${prefix}:starshipit:rate`;
    // Each request counts until its answer is in, so the API's own 1 s window holds.
    const windowMs = 1_000;
    const clients = [replicaA, replicaB].map((redis) =>
      createStarshipitClient({
        baseUrl: fake.url,
        apiKey: fake.apiKey,
        subscriptionKey: fake.subscriptionKey,
        rateLimiter: createRedisRateLimiter({ redis, key, limit: 5, windowMs }),
      }),
    );
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 40 }, (_, n) => clients[n % 2]!.track({ trackingNumber: 'TRK1' })),
    );

    const arrivals = fake.requests.map((request) => request.arrivedAt);
    expect(arrivals).toHaveLength(40);
    expect(fake.requests.every((request) => request.status === 200)).toBe(true);
    expect(busiestWindow(arrivals, 1_000)).toBe(5);
    // Not merely safe but also using the budget: 8 bursts of 5, 7 windows apart.
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(7 * windowMs - 50);
    expect(elapsed).toBeLessThan(7 * windowMs + 2_000);
  });

  it('grants the limit at once, then waits until the oldest grant leaves the window', async () => {
    const waits: number[] = [];
    const limiter = createRedisRateLimiter({
      redis: replicaA,
      key: `${prefix}:burst`,
      limit: 3,
      windowMs: 500,
      sleep: (ms) => {
        waits.push(ms);
        return new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    const started = performance.now();
    for (let n = 0; n < 3; n += 1) await (await limiter.acquire())?.();
    expect(waits).toEqual([]);
    await limiter.acquire();
    expect(waits[0]).toBeGreaterThan(400);
    expect(waits[0]).toBeLessThanOrEqual(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(495);
  });

  it('keeps separate budgets under separate keys', async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => (waits.push(ms), Promise.resolve());
    const options = { redis: replicaB, limit: 1, windowMs: 60_000, sleep };
    await createRedisRateLimiter({ ...options, key: `${prefix}:one` }).acquire();
    await createRedisRateLimiter({ ...options, key: `${prefix}:two` }).acquire();
    expect(waits).toEqual([]);
  });

  it('refuses a limit or window that is not a positive integer', () => {
    expect(() => createRedisRateLimiter({ redis: replicaA, key: 'k', limit: 0 })).toThrow(
      RangeError,
    );
    expect(() =>
      createRedisRateLimiter({ redis: replicaA, key: 'k', limit: 1, windowMs: 0.5 }),
    ).toThrow(RangeError);
  });
});
