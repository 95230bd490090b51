import { isApiError } from './api-error';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export interface ApiRetryOptions {
  /** Total tries, the first included: 1 means no retry. */
  readonly attempts: number;
  /** Ceiling of the first backoff step; each later step doubles it up to maxMs. */
  readonly baseMs: number;
  readonly maxMs: number;
  /**
   * `equal` (the default) waits at least half of each step, which a rate-limited API needs
   * to actually see fewer calls; `full` spreads retries wider but may retry almost at once.
   */
  readonly jitter?: 'full' | 'equal';
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** Called before each wait, e.g. to log or count retries. */
  readonly onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
}

/**
 * Retries one Starshipit call on a retryable ApiError. This is the only retry layer for a
 * call: the client itself never retries, so a failure costs at most `attempts` requests.
 * A `Retry-After` wait is honoured as given (not capped at maxMs): coming back sooner only
 * earns another 429 from the same budget. Anything else is rethrown at once.
 */
export async function withApiRetries<T>(
  fn: () => Promise<T>,
  options: ApiRetryOptions,
): Promise<T> {
  checkOptions(options);
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (!isApiError(error) || !error.retryable || attempt >= options.attempts) throw error;
      const delayMs = error.retryAfterMs ?? backoffMs(attempt, options);
      options.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs);
    }
  }
}

/** The wait after failed try number `attempt` (1-based) when the server named none. */
export function backoffMs(
  attempt: number,
  options: Pick<ApiRetryOptions, 'baseMs' | 'maxMs' | 'jitter' | 'random'>,
): number {
  const random = options.random ?? Math.random;
  const step = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
  const delay = options.jitter === 'full' ? random() * step : step / 2 + (random() * step) / 2;
  return Math.round(delay);
}

function checkOptions({ attempts, baseMs, maxMs }: ApiRetryOptions): void {
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`attempts must be a positive integer, got ${String(attempts)}`);
  }
  if (!(baseMs > 0) || !(maxMs >= baseMs)) {
    throw new RangeError(`need 0 < baseMs <= maxMs, got ${String(baseMs)} and ${String(maxMs)}`);
  }
}
