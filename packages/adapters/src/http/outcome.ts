import type { DeliveryOutcome } from '../source-adapter';
import { parseRetryAfter } from '@tracksync/domain';

/** Statuses that say "not now" rather than "never": request timeout and rate limiting. */
const RETRYABLE_4XX: ReadonlySet<number> = new Set([408, 429]);

export interface SourceAnswer {
  readonly status: number;
  readonly retryAfter: string | null;
  /** A short, log-safe excerpt of the response body. */
  readonly snippet: string;
}

/** Maps the source system's HTTP answer onto an outcome (§6). Decided by status alone. */
export function outcomeForAnswer(answer: SourceAnswer, now: Date): DeliveryOutcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: 'applied', httpStatus: status };
  if (status === 409) return { kind: 'already_applied', httpStatus: status };
  if (status === 404) return { kind: 'not_found', httpStatus: status };
  const reason = describe(answer);
  if (RETRYABLE_4XX.has(status) || (status >= 500 && status < 600)) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter, now);
    return retryAfterMs === undefined
      ? { kind: 'retry', reason, httpStatus: status }
      : { kind: 'retry', reason, httpStatus: status, retryAfterMs };
  }
  // Other 4xx, and redirects (not followed: a signed POST must reach the configured URL), are
  // a contract or configuration problem that retrying cannot fix.
  return { kind: 'permanent', reason, httpStatus: status };
}

function describe({ status, snippet }: SourceAnswer): string {
  return snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`;
}

/**
 * Maps a failed fetch (no HTTP answer) onto a retry. A timeout may hide an update that was in
 * fact applied; retrying is still right because the same webhook-id lets the receiver answer
 * 409 or drop the repeat.
 */
export function outcomeForFailure(error: unknown): DeliveryOutcome {
  if (isAbort(error)) return { kind: 'retry', reason: 'timeout' };
  return { kind: 'retry', reason: `network error: ${networkCause(error)}` };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Node's fetch wraps the socket error (`ECONNREFUSED`, `ENOTFOUND`, …) as `cause`. */
function networkCause(error: unknown): string {
  const cause: unknown = error instanceof Error && error.cause !== undefined ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? code : cause.message;
  }
  return String(cause);
}
