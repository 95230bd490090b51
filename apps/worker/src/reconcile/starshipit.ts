import {
  createRedisRateLimiter,
  createStarshipitClient,
  type StarshipitClient,
} from '@tracksync/starshipit';
import type { RedisClient } from '@tracksync/queue';
import type { Counter } from 'prom-client';
import type { WorkerConfig } from '../config';

/**
 * Starshipit's own window. The limiter counts each request until its answer is in, so no
 * slack is needed for the trip: arrivals at the API stay within the budget however it went.
 */
const RATE_WINDOW_MS = 1_000;

/**
 * The Starshipit client, or null when the credentials are not set (reconciliation off).
 * Its rate limiter lives in Redis under the queue prefix, so every replica of this
 * deployment shares the subscription key's budget.
 */
export function createStarshipitFromConfig(
  config: Pick<
    WorkerConfig,
    | 'STARSHIPIT_API_URL'
    | 'STARSHIPIT_API_KEY'
    | 'STARSHIPIT_SUBSCRIPTION_KEY'
    | 'STARSHIPIT_RATE_LIMIT_PER_SEC'
    | 'QUEUE_PREFIX'
  >,
  redis: RedisClient,
  requests: Counter<'endpoint' | 'outcome'>,
): StarshipitClient | null {
  const { STARSHIPIT_API_KEY: apiKey, STARSHIPIT_SUBSCRIPTION_KEY: subscriptionKey } = config;
  if (!apiKey || !subscriptionKey) return null;
  return createStarshipitClient({
    baseUrl: config.STARSHIPIT_API_URL,
    apiKey,
    subscriptionKey,
    rateLimiter: createRedisRateLimiter({
      redis,
      key: `${config.QUEUE_PREFIX}:starshipit-rate`,
      limit: config.STARSHIPIT_RATE_LIMIT_PER_SEC,
      windowMs: RATE_WINDOW_MS,
    }),
    onRequest: (record) => {
      requests.inc({
        endpoint: record.endpoint,
        outcome: record.status?.toString() ?? record.outcome,
      });
    },
  });
}
