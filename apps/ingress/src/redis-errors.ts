import type { Logger } from '@tracksync/runtime';

/** One line per half minute is enough to see an outage and its cause in the log. */
export const REDIS_ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * An `error` listener for the Redis connection and the queues on it. While Redis is down,
 * ioredis reports every reconnect attempt (several a second); the first error is logged and
 * the rest counted into the next line. A listener must exist at all, or the errors would crash
 * the process or spill onto the console.
 */
export function createRedisErrorLog(
  log: Logger,
  intervalMs = REDIS_ERROR_LOG_INTERVAL_MS,
  now: () => number = Date.now,
): (err: unknown) => void {
  let lastLoggedAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (err) => {
    const at = now();
    if (at - lastLoggedAt < intervalMs) {
      suppressed += 1;
      return;
    }
    log.error({ err, suppressedSinceLastLine: suppressed }, 'redis unavailable');
    lastLoggedAt = at;
    suppressed = 0;
  };
}
