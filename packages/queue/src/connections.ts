import { Redis, type RedisOptions } from 'ioredis';

/**
 * For producers (the ingress): commands fail at once while Redis is away instead of queueing
 * in memory, so a webhook gets a quick 503 and Starshipit can try again later. ioredis keeps
 * reconnecting in the background, so intake resumes by itself when Redis returns.
 */
export function createProducerConnection(redisUrl: string, options: RedisOptions = {}): Redis {
  return new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  });
}

/** For workers: BullMQ requires blocking commands to wait through reconnects, not fail. */
export function createWorkerConnection(redisUrl: string, options: RedisOptions = {}): Redis {
  return new Redis(redisUrl, {
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  });
}
