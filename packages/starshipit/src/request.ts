import { parseRetryAfter } from '@tracksync/domain';
import { z } from 'zod';
import { ApiError, safeDetail } from './api-error';

/** Ends a request's hold on the budget; the client calls it once the answer (or failure) is in. */
export type RateRelease = () => Promise<void>;

/** Only what the client needs from a limiter, so tests and single-process tools can pass a stub. */
export interface RateLimiter {
  /**
   * Waits for budget. A limiter may return a release: it then counts the request until its
   * answer is in, so arrivals at the API stay within budget whatever the trip took.
   */
  acquire(): Promise<RateRelease | undefined>;
}

/** One finished request, for metrics: status is null when no answer arrived. */
export interface RequestRecord {
  readonly endpoint: string;
  readonly status: number | null;
  readonly outcome: 'ok' | ApiError['kind'];
  readonly durationMs: number;
}

export interface RequestContext {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly subscriptionKey: string;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly rateLimiter: RateLimiter;
  readonly now: () => Date;
  readonly onRequest: (record: RequestRecord) => void;
}

interface Envelope {
  readonly success: boolean;
  readonly errors: readonly { readonly message: string | null }[];
}

/**
 * One GET: waits for the shared rate budget, then sends it once (no retry here; see
 * withApiRetries) and returns the validated body or throws an ApiError.
 */
export async function getJson<Schema extends z.ZodType<Envelope>>(
  context: RequestContext,
  endpoint: string,
  query: URLSearchParams,
  schema: Schema,
): Promise<z.output<Schema>> {
  const release = await context.rateLimiter.acquire();
  // Timed after the limiter: a wait for budget is not slowness of the API.
  const started = performance.now();
  const record = (status: number | null, outcome: RequestRecord['outcome']) => {
    context.onRequest({ endpoint, status, outcome, durationMs: performance.now() - started });
  };
  try {
    const { status, body } = await exchange(context, endpoint, query);
    const data = parseBody(context, endpoint, status, body, schema);
    record(status, 'ok');
    return data;
  } catch (error) {
    if (error instanceof ApiError) record(error.status, error.kind);
    throw error;
  } finally {
    // A release that fails (Redis away) only leaves the slot held until its lease runs out.
    if (release) await release().catch(() => undefined);
  }
}

async function exchange(
  context: RequestContext,
  endpoint: string,
  query: URLSearchParams,
): Promise<{ status: number; body: string }> {
  const search = query.size > 0 ? `?${query.toString()}` : '';
  // One signal for headers and body, so a server that stalls mid-body cannot hold the run.
  const signal = AbortSignal.timeout(context.timeoutMs);
  let status: number | null = null;
  try {
    const response = await context.fetch(`${context.baseUrl}${endpoint}${search}`, {
      method: 'GET',
      headers: {
        'StarShipIT-Api-Key': context.apiKey,
        'Ocp-Apim-Subscription-Key': context.subscriptionKey,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      signal,
      // fetch forwards custom headers across origins on redirect: never follow one with keys.
      redirect: 'manual',
    });
    status = response.status;
    const body = await response.text();
    if (!response.ok) {
      throw new ApiError({
        kind: 'http',
        endpoint,
        status,
        detail: errorDetail(body, [context.apiKey, context.subscriptionKey]),
        ...retryAfter(response.headers.get('retry-after'), context.now()),
      });
    }
    return { status, body };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new ApiError({
      kind: timedOut ? 'timeout' : 'network',
      endpoint,
      status,
      detail: timedOut ? `after ${context.timeoutMs} ms` : networkCode(error),
      cause: error,
    });
  }
}

function parseBody<Schema extends z.ZodType<Envelope>>(
  context: RequestContext,
  endpoint: string,
  status: number,
  body: string,
  schema: Schema,
): z.output<Schema> {
  const invalid = (detail: string) =>
    new ApiError({ kind: 'invalid_response', endpoint, status, detail });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw invalid('body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    // Paths and messages only: the body itself may be large and is not ours to log.
    const issues = parsed.error.issues.slice(0, 3).map((issue) => {
      return `${issue.path.join('.') || '(root)'} ${issue.message}`;
    });
    throw invalid(issues.join('; '));
  }
  if (!parsed.data.success) {
    const messages = parsed.data.errors.map((error) => error.message).filter(Boolean);
    throw new ApiError({
      kind: 'unsuccessful',
      endpoint,
      status,
      detail: safeDetail(messages.join('; '), [context.apiKey, context.subscriptionKey]),
    });
  }
  return parsed.data;
}

/** 429 without the header leaves retryAfterMs undefined: the caller then backs off itself. */
function retryAfter(header: string | null, now: Date): { retryAfterMs?: number } {
  const ms = parseRetryAfter(header, now);
  return ms === undefined ? {} : { retryAfterMs: ms };
}

/**
 * Starshipit's `errors[].message`, or the gateway's `{statusCode, message}`, or the start of
 * the raw body; always with both keys cut out.
 */
function errorDetail(body: string, secrets: readonly string[]): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    // Not JSON (an HTML error page from a proxy, say): the raw start is the best we have.
  }
  const known = errorBodySchema.safeParse(json);
  const message = known.success
    ? (known.data.errors?.[0]?.message ?? known.data.message ?? body)
    : body;
  return safeDetail(message, secrets);
}

const errorBodySchema = z.object({
  message: z.string().optional(),
  errors: z.array(z.object({ message: z.string().optional() })).optional(),
});

function networkCode(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause && typeof cause === 'object' && 'code' in cause ? cause.code : null;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : 'unknown';
}
