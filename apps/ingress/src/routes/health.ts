import type { RedisPing } from '@tracksync/queue';
import { withTimeout } from '@tracksync/runtime';
import { Router } from 'express';
import type { IngressMetrics } from '../metrics';

/** A load balancer probes often; a second is long enough for a healthy Redis on any network. */
export const READY_TIMEOUT_MS = 1_000;

export function createHealthRouter(deps: {
  readonly redis: RedisPing;
  readonly metrics: IngressMetrics;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(deps.redis.ping(), READY_TIMEOUT_MS, 'redis ping');
      res.json({ status: 'ok' });
    } catch {
      // Not logged: the connection's own error listener already reports the outage, once.
      res.status(503).json({ status: 'unavailable' });
    }
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
