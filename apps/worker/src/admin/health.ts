import type { RedisPing } from '@tracksync/queue';
import { withTimeout } from '@tracksync/runtime';
import { Router } from 'express';
import type pg from 'pg';
import type { Logger } from 'pino';

export interface HealthDeps {
  readonly pool: Pick<pg.Pool, 'query'>;
  /** A probe of the node that holds this deployment's queues (`readinessPing`). */
  readonly redis: RedisPing;
  readonly log: Logger;
  /** Per dependency; the checks run at once, so /readyz answers within about this long. */
  readonly readinessTimeoutMs?: number;
}

const DEFAULT_READINESS_TIMEOUT_MS = 1_000;

/**
 * `/healthz` says the process is alive and never touches a dependency, so a Postgres outage
 * does not get healthy pods restarted. `/readyz` says this replica can do its work now.
 */
export function healthRoutes(deps: HealthDeps): Router {
  const timeoutMs = deps.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
  const checks: Record<'redis' | 'postgres', () => Promise<unknown>> = {
    redis: () => deps.redis.ping(),
    postgres: () => deps.pool.query('select 1'),
  };

  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const outcomes = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeoutMs, name);
          return [name, 'ok'] as const;
        } catch (err) {
          deps.log.warn({ err, dependency: name }, 'readiness check failed');
          return [name, 'failed'] as const;
        }
      }),
    );
    const failed = outcomes.filter(([, outcome]) => outcome === 'failed').map(([name]) => name);
    res.status(failed.length === 0 ? 200 : 503).json({
      status: failed.length === 0 ? 'ready' : 'not_ready',
      checks: Object.fromEntries(outcomes),
      failed,
    });
  });
  return router;
}
