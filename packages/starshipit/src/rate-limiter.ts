import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateLimiter } from './request';
import { realSleep, type Sleep } from './retry';

/**
 * A sliding-window log in one sorted set: member per granted call, scored by the grant time
 * in ms. Everything runs in one script, so check-and-grant is atomic across every replica,
 * and the clock is Redis `TIME`, so replicas whose clocks disagree still share one window.
 *
 * An entry granted at t counts for the window (t - window, t]: a grant happens only when
 * fewer than `limit` entries are newer than now - window, so no span of `window` ms ever
 * holds more than `limit` grants. Returns 0 when granted, else the ms until the oldest
 * entry leaves the window (at least 1, so a caller never spins). Writing after `TIME` needs
 * effect replication, the default since Redis 5.
 */
const SLIDING_WINDOW_SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, now .. '-' .. ARGV[3])
  redis.call('PEXPIRE', key, window)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return wait
`;

export interface RedisRateLimiterOptions {
  /** Any ioredis connection; a BullMQ worker's (maxRetriesPerRequest: null) is fine. */
  readonly redis: Pick<Redis, 'eval'>;
  /** One key per budget: the Starshipit subscription key's, shared by all replicas. */
  readonly key: string;
  readonly limit: number;
  /**
   * The limiter counts at grant time but the API counts at arrival, after a variable trip;
   * callers matching a server-side limit exactly may add a little margin (e.g. 1100 for 1 s).
   */
  readonly windowMs?: number;
  readonly sleep?: Sleep;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { redis, key, limit, windowMs = 1000 } = options;
  const sleep = options.sleep ?? realSleep;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
  }
  if (!Number.isInteger(windowMs) || windowMs < 1) {
    throw new RangeError(`windowMs must be a positive integer, got ${String(windowMs)}`);
  }

  return {
    async acquire() {
      for (;;) {
        // Made here, not in Lua: math.random in scripts is seeded identically on every call
        // in older Redis, so two grants in the same ms could collide and count as one.
        const member = randomBytes(8).toString('hex');
        const reply = await redis.eval(SLIDING_WINDOW_SCRIPT, 1, key, limit, windowMs, member);
        const waitMs = Number(reply);
        if (!Number.isFinite(waitMs)) {
          throw new Error(`rate limiter script returned ${String(reply)}, expected a number`);
        }
        if (waitMs === 0) return;
        await sleep(waitMs);
      }
    },
  };
}
