/** No single wait grows past an hour: a source system back after a long outage hears soon. */
export const MAX_BACKOFF_STEP_MS = 60 * 60 * 1000;

/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half and all of
 * base·2^(n-1), capped at an hour. The jitter spreads retries of many deliveries that failed
 * together (the source system went down) so they do not return as one burst.
 */
export function jitteredBackoffMs(
  attemptsMade: number,
  baseMs: number,
  random = Math.random,
): number {
  const step = Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), MAX_BACKOFF_STEP_MS);
  return Math.round(step / 2 + (random() * step) / 2);
}

/** Thrown for a retryable outcome so that BullMQ's backoff can see the source's Retry-After. */
export class RetryableDeliveryError extends Error {
  override readonly name = 'RetryableDeliveryError';
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

/**
 * The delay before a job's next attempt, for every queue (the catalog gives all jobs this
 * backoff type): a source system's `Retry-After` when a delivery got one (it knows best when
 * it can take more), else the jittered exponential step.
 */
export function nextRetryDelayMs(attemptsMade: number, baseMs: number, err: unknown): number {
  if (err instanceof RetryableDeliveryError && err.retryAfterMs !== undefined) {
    return Math.min(err.retryAfterMs, MAX_BACKOFF_STEP_MS);
  }
  return jitteredBackoffMs(attemptsMade, baseMs);
}
