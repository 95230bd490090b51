import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { RateLimiter } from './request';
import { realSleep, type Sleep } from './retry';

/**
 * A sliding-window log in one sorted set, one member per request. A request is granted only
 * when fewer than `limit` members are newer than now - window; its member is scored in the
 * future (now + lease) while it is in flight, so it counts for certain, and its release
 * re-scores it to the moment the answer came back. A request reaches the API between its
 * grant and its release, so any `limit + 1` requests reach it more than `window` apart,
 * however long each trip took: the budget holds at the API, not merely at the sender.
 * The lease only bounds how long a process that died mid-request holds a slot.
 * Everything runs in scripts on Redis `TIME`, so replicas whose clocks disagree share one
 * window. Returns 0 when granted, else the ms to wait (at least 1, so a caller never spins).
 */
const GRANT_SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local lease = tonumber(ARGV[4])
local poll = tonumber(ARGV[5])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + lease, ARGV[3])
  redis.call('PEXPIRE', key, lease + window)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local score = tonumber(oldest[2])
if score > now then return poll end
local wait = score + window - now
if wait < 1 then wait = 1 end
return wait
`;

/** Dates a request's member by its answer; XX: a member its lease already expired stays gone. */
const RELEASE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`;

/** How often a caller blocked only by requests still in flight looks again. */
const IN_FLIGHT_POLL_MS = 20;

export interface RedisRateLimiterOptions {
  /** Any ioredis connection or cluster; a BullMQ worker's (maxRetriesPerRequest: null) is fine. */
  readonly redis: Pick<Redis | Cluster, 'eval'>;
  /**
   * One key per budget (Starshipit's subscription key, a destination), shared by all replicas.
   * Each script touches this key alone, so on a cluster it runs on the key's node, never CROSSSLOT.
   */
  readonly key: string;
  readonly limit: number;
  readonly windowMs?: number;
  /**
   * The longest a request may hold its slot unreleased; keep it above the client's timeout.
   * Only a process that dies mid-request ever reaches it.
   */
  readonly leaseMs?: number;
  readonly sleep?: Sleep;
}

/** One try at the budget: granted with its release, or how long to wait before the next. */
export type RateGrant =
  | { readonly granted: true; readonly release: () => Promise<void> }
  | { readonly granted: false; readonly waitMs: number };

export interface RedisRateLimiter extends RateLimiter {
  /**
   * Asks once and never sleeps: for callers that should give their slot back while they
   * wait (a delivery job moves itself to delayed instead of holding a worker).
   */
  tryAcquire(): Promise<RateGrant>;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RedisRateLimiter {
  const { redis, key, limit, windowMs = 1000, leaseMs = 60_000 } = options;
  const sleep = options.sleep ?? realSleep;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
  }
  if (!Number.isInteger(windowMs) || windowMs < 1) {
    throw new RangeError(`windowMs must be a positive integer, got ${String(windowMs)}`);
  }
  if (!Number.isInteger(leaseMs) || leaseMs < 1) {
    throw new RangeError(`leaseMs must be a positive integer, got ${String(leaseMs)}`);
  }

  async function tryAcquire(): Promise<RateGrant> {
    // Made here, not in Lua: math.random in scripts is seeded identically on every call
    // in older Redis, so two grants could collide and count as one.
    const member = randomBytes(8).toString('hex');
    const reply = await redis.eval(
      GRANT_SCRIPT,
      1,
      key,
      limit,
      windowMs,
      member,
      leaseMs,
      IN_FLIGHT_POLL_MS,
    );
    const waitMs = Number(reply);
    if (!Number.isFinite(waitMs)) {
      throw new Error(`rate limiter script returned ${String(reply)}, expected a number`);
    }
    if (waitMs > 0) return { granted: false, waitMs };
    return {
      granted: true,
      release: async () => {
        await redis.eval(RELEASE_SCRIPT, 1, key, member, leaseMs + windowMs);
      },
    };
  }

  return {
    tryAcquire,
    async acquire() {
      for (;;) {
        const grant = await tryAcquire();
        if (grant.granted) return grant.release;
        await sleep(grant.waitMs);
      }
    },
  };
}
