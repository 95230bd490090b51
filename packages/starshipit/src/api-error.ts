/**
 * Why a call failed, so callers can count failures by cause without reading message text:
 * `http` a non-2xx answer, `network` and `timeout` no answer, `invalid_response` a 2xx body
 * that is not the documented JSON, `unsuccessful` a 2xx envelope with a falsy `success`.
 */
export type ApiErrorKind = 'http' | 'network' | 'timeout' | 'invalid_response' | 'unsuccessful';

export interface ApiErrorInit {
  readonly kind: ApiErrorKind;
  /** The path without its query, e.g. `/api/track`: low-cardinality, fit for a metric label. */
  readonly endpoint: string;
  readonly status: number | null;
  readonly retryAfterMs?: number;
  readonly detail?: string;
  readonly cause?: unknown;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly kind: ApiErrorKind;
  readonly endpoint: string;
  /** HTTP status, or null when no answer arrived. */
  readonly status: number | null;
  readonly retryable: boolean;
  /** From `Retry-After`; undefined when the server gave none, so the caller backs off itself. */
  readonly retryAfterMs?: number;

  constructor(init: ApiErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.retryable = isRetryable(init.kind, init.status);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/**
 * 408, 429 and 5xx are the server saying "not now"; every other 4xx (bad key, bad query,
 * unknown tracking number) answers the same however often it is asked.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * A malformed 2xx body or an unsuccessful envelope is not retried: the same request would
 * get the same answer, and retrying only spends the shared rate budget.
 */
function isRetryable(kind: ApiErrorKind, status: number | null): boolean {
  if (kind === 'network' || kind === 'timeout') return true;
  return kind === 'http' && status !== null && isRetryableStatus(status);
}

function describe(init: ApiErrorInit): string {
  const what =
    init.kind === 'http'
      ? `answered HTTP ${String(init.status)}`
      : init.kind === 'timeout'
        ? 'timed out'
        : init.kind === 'network'
          ? 'failed: network error'
          : init.kind === 'unsuccessful'
            ? 'answered success: false'
            : 'answered with an unexpected body';
  return `starshipit GET ${init.endpoint} ${what}${init.detail ? `: ${init.detail}` : ''}`;
}

const MAX_DETAIL_CHARS = 200;

/**
 * Makes server-supplied text safe for an error message: an API gateway may echo request
 * headers back, so both keys are cut out before anything reaches a log line.
 */
export function safeDetail(text: string, secrets: readonly string[]): string {
  let safe = text.replace(/\s+/g, ' ').trim();
  for (const secret of secrets) safe = safe.replaceAll(secret, '[redacted]');
  return safe.length > MAX_DETAIL_CHARS ? `${safe.slice(0, MAX_DETAIL_CHARS)}…` : safe;
}
