import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Registry } from 'prom-client';
import { healthRoutes, type HealthDeps } from './health';

export interface AdminDeps extends HealthDeps {
  /** The worker's own registry (createWorkerMetrics), never prom-client's global one. */
  readonly registry: Registry;
}

/** The worker's admin port, without listen(), so tests can mount it on any port. */
export function createAdminApp(deps: AdminDeps): Express {
  const app = express();
  app.disable('x-powered-by');

  // Probes and Prometheus scrape without credentials, so these stay outside ADMIN_TOKEN.
  app.use(healthRoutes(deps));
  app.get('/metrics', async (_req, res) => {
    const body = await deps.registry.metrics();
    res.type(deps.registry.contentType).send(body);
  });

  // Bull Board (/admin/queues) and the ops API (/api) mount here, behind ADMIN_TOKEN: they
  // can read payloads and replay jobs, which the open routes above never do.

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  const onError: ErrorRequestHandler = (err, _req, res, next) => {
    deps.log.error({ err }, 'admin request failed');
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
