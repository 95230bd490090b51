import type { Database } from '@tracksync/db';
import type { Queues } from '@tracksync/queue';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from '../config';
import { opsApi } from './api';
import { requireAdminToken } from './auth';
import { BOARD_PATH, createBoard } from './board';
import { CONSOLE_PATH, opsConsole } from './console';
import type { SessionRedis } from './console/session';
import { healthRoutes, type HealthDeps } from './health';
import { createWrongTokenLimit } from './wrong-tokens';
import type { DestinationControl } from '../destinations/control';
import type { DestinationSet } from '../destinations/set';

export interface AdminDeps extends HealthDeps {
  /** The worker's own registry (createWorkerMetrics), never prom-client's global one. */
  readonly registry: Registry;
  readonly db: Database;
  /** Queues bound to QUEUE_PREFIX: Bull Board shows them, match and replay add to them. */
  readonly queues: Queues;
  /** Holds the console's sessions, so every replica knows them. */
  readonly sessionRedis: SessionRedis;
  readonly config: Pick<
    WorkerConfig,
    | 'ADMIN_TOKEN'
    | 'ADMIN_WRONG_TOKENS_PER_MINUTE'
    | 'ADMIN_TRUST_PROXY'
    | 'QUEUE_PREFIX'
    | 'DELIVERY_ATTEMPTS'
    | 'DELIVERY_BACKOFF_MS'
    | 'CONSOLE_COOKIE_SECURE'
  >;
  /** Replays and matches go to these; the ops API lists, pauses and resumes them. */
  readonly destinations: DestinationSet;
  readonly control: DestinationControl;
  /** Whether Starshipit credentials are set (`POST /api/reconcile` answers 409 otherwise). */
  readonly reconcileEnabled: boolean;
}

/** The worker's admin port, without listen(), so tests can mount it on any port. */
export function createAdminApp(deps: AdminDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Which X-Forwarded-For to believe: req.ip is what the wrong-token limit and the logs see.
  app.set('trust proxy', deps.config.ADMIN_TRUST_PROXY);

  // Probes and Prometheus scrape without credentials, so these stay outside ADMIN_TOKEN.
  app.use(healthRoutes(deps));
  app.get('/metrics', async (_req, res) => {
    const body = await deps.registry.metrics();
    res.type(deps.registry.contentType).send(body);
  });

  // Bull Board and the ops API read payloads and replay jobs, which the open routes above
  // never do. Without a token they are not mounted at all, so they answer 404.
  const token = deps.config.ADMIN_TOKEN;
  if (token) {
    const wrongTokens = createWrongTokenLimit({
      log: deps.log,
      allowed: deps.config.ADMIN_WRONG_TOKENS_PER_MINUTE,
    });
    app.use(
      ['/admin', '/api'],
      wrongTokens.guard((_req, res) => res.json({ error: 'too_many_wrong_tokens' })),
      requireAdminToken(token, deps.log, wrongTokens),
    );
    app.use(
      BOARD_PATH,
      createBoard({ queues: deps.queues, queuePrefix: deps.config.QUEUE_PREFIX }),
    );
    app.use('/api', opsApi(deps));
    // The console signs in with the same token, then keeps a session cookie instead of
    // asking for the token on each request; its own guards sit inside it.
    app.use(
      CONSOLE_PATH,
      opsConsole({ ...deps, wrongTokens, config: { ...deps.config, ADMIN_TOKEN: token } }),
    );
  } else {
    deps.log.warn('ADMIN_TOKEN is not set: Bull Board, the ops API and the console are off (404)');
  }

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  const onError: ErrorRequestHandler = (err: unknown, req, res, next) => {
    // A client's mistake Express itself found (a path that is not valid percent-encoding):
    // answered as such, not logged as our failure.
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500 && !res.headersSent) {
      res.status(status).json({ error: 'bad_request' });
      return;
    }
    deps.log.error({ err, method: req.method, path: req.path }, 'admin request failed');
    // Once a response has started only Express can end it (by closing the connection).
    if (res.headersSent) {
      next(err);
      return;
    }
    res.status(500).json({ error: 'internal_error' });
  };
  app.use(onError);
  return app;
}
