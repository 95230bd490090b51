import {
  createRedisRateLimiter,
  type RateGrant,
  type RedisRateLimiter,
} from '@tracksync/starshipit';
import type { Redis } from 'ioredis';
import type { Destination } from './set';

/** A pause is seen by every replica within this long (each caches the flag that long). */
const PAUSE_CACHE_MS = 1_000;

/**
 * Pause and rate cap per destination, shared by every replica through Redis under
 * QUEUE_PREFIX. A paused destination keeps its outbox: its jobs wait without spending
 * attempts, and resume in order because each later change still waits for its earlier one.
 */
export interface DestinationControl {
  isPaused(name: string): Promise<boolean>;
  /** Every paused destination with when it was paused (ISO instant). */
  paused(): Promise<Record<string, string>>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  /** Asks the destination's budget once; a destination without a cap is always granted. */
  takeRate(destination: Destination): Promise<RateGrant>;
}

export function createDestinationControl(options: {
  redis: Pick<Redis, 'eval' | 'hget' | 'hgetall' | 'hset' | 'hdel'>;
  prefix: string;
  now?: () => number;
}): DestinationControl {
  const { redis } = options;
  const now = options.now ?? Date.now;
  const pausedKey = `${options.prefix}:destinations:paused`;
  const seen = new Map<string, { paused: boolean; at: number }>();
  const limiters = new Map<string, RedisRateLimiter>();

  function limiterFor(destination: Destination, limit: number): RedisRateLimiter {
    let limiter = limiters.get(destination.name);
    if (!limiter) {
      limiter = createRedisRateLimiter({
        redis,
        key: `${options.prefix}:destinations:rate:${destination.name}`,
        limit,
      });
      limiters.set(destination.name, limiter);
    }
    return limiter;
  }

  return {
    async isPaused(name) {
      const cached = seen.get(name);
      if (cached && now() - cached.at < PAUSE_CACHE_MS) return cached.paused;
      const paused = (await redis.hget(pausedKey, name)) !== null;
      seen.set(name, { paused, at: now() });
      return paused;
    },
    paused: () => redis.hgetall(pausedKey),
    async pause(name) {
      await redis.hset(pausedKey, name, new Date(now()).toISOString());
      seen.delete(name);
    },
    async resume(name) {
      await redis.hdel(pausedKey, name);
      seen.delete(name);
    },
    async takeRate(destination) {
      const limit = destination.rateLimitPerSec;
      if (limit === null) return { granted: true, release: () => Promise.resolve() };
      return limiterFor(destination, limit).tryAcquire();
    },
  };
}
