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
  /**
   * Takes one of this process's delivery slots for the destination, false when it holds its
   * share already; `leave` gives it back. A destination that hangs (answers only at the
   * timeout) can so hold at most its share of WORKER_CONCURRENCY, never every slot.
   */
  enter(name: string): boolean;
  leave(name: string): void;
}

/**
 * Each destination's share of a process's delivery slots: all of them when it is the only
 * one, else half (at least one), so a destination that hangs leaves the others half.
 */
export function slotShare(concurrency: number, destinations: number): number {
  return destinations <= 1 ? concurrency : Math.max(1, Math.floor(concurrency / 2));
}

export function createDestinationControl(options: {
  redis: Pick<Redis, 'eval' | 'hget' | 'hgetall' | 'hset' | 'hdel'>;
  prefix: string;
  /** slotShare(WORKER_CONCURRENCY, number of destinations); no cap when absent. */
  slotsPerDestination?: number;
  now?: () => number;
}): DestinationControl {
  const inFlight = new Map<string, number>();
  const slots = options.slotsPerDestination ?? Number.POSITIVE_INFINITY;
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
    enter(name) {
      const held = inFlight.get(name) ?? 0;
      if (held >= slots) return false;
      inFlight.set(name, held + 1);
      return true;
    },
    leave(name) {
      inFlight.set(name, Math.max(0, (inFlight.get(name) ?? 1) - 1));
    },
    async takeRate(destination) {
      const limit = destination.rateLimitPerSec;
      if (limit === null) return { granted: true, release: () => Promise.resolve() };
      return limiterFor(destination, limit).tryAcquire();
    },
  };
}
