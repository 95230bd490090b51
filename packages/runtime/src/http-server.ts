import { createServer, type RequestListener, type Server } from 'node:http';
import { z } from 'zod';

const wholeMs = 'must be a whole number of milliseconds, at least 100';
const timeoutMs = z.coerce.number({ error: wholeMs }).int(wholeMs).min(100, wholeMs);

/**
 * How long a client may take to send a request. Node's own defaults (60 s for the headers,
 * 5 min for the whole request) let a few thousand slow clients hold every socket for minutes;
 * a webhook or an admin call is a few kilobytes, sent in milliseconds.
 */
export interface HttpTimeouts {
  /** Until the request's headers are in; also bounds a connection that never sends a byte. */
  readonly headersTimeoutMs: number;
  /** Until the whole request, body included, is in. Never shorter than headersTimeoutMs. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
};

export const httpServerEnv = {
  HEADERS_TIMEOUT_MS: timeoutMs.default(DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs),
  REQUEST_TIMEOUT_MS: timeoutMs.default(DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs),
};

/** For a config schema's `.superRefine`: Node refuses a headers timeout above the request's. */
export function checkHttpServerEnv(
  env: { readonly HEADERS_TIMEOUT_MS: number; readonly REQUEST_TIMEOUT_MS: number },
  ctx: Pick<z.core.$RefinementCtx, 'addIssue'>,
): void {
  if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['HEADERS_TIMEOUT_MS'],
      message: 'must not be longer than REQUEST_TIMEOUT_MS',
    });
  }
}

export function httpTimeoutsOf(env: {
  readonly HEADERS_TIMEOUT_MS: number;
  readonly REQUEST_TIMEOUT_MS: number;
}): HttpTimeouts {
  return { headersTimeoutMs: env.HEADERS_TIMEOUT_MS, requestTimeoutMs: env.REQUEST_TIMEOUT_MS };
}

/**
 * Node checks the timeouts on a timer (every 30 s by default), so a slow client could outlive
 * its deadline by that much; a quarter of the shorter timeout, at most a second, keeps the
 * overshoot small for the cost of one walk over the open connections per tick.
 */
function checkingIntervalMs(timeouts: HttpTimeouts): number {
  const shorter = Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs);
  return Math.max(25, Math.min(1_000, Math.floor(shorter / 4)));
}

/**
 * An HTTP server for `listener` (an Express app) that bounds slow clients, listening on `port`.
 * Resolves once the port is bound; rejects when it cannot be (in use, no permission).
 */
export function serveHttp(
  listener: RequestListener,
  options: { readonly port: number; readonly host?: string; readonly timeouts?: HttpTimeouts },
): Promise<Server> {
  const timeouts = options.timeouts ?? DEFAULT_HTTP_TIMEOUTS;
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(timeouts),
    },
    listener,
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * Stops accepting connections and waits for requests in progress. Idle keep-alive sockets are
 * closed at once: they would otherwise hold close() open until they time out.
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => {
      if (err) reject(err);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
