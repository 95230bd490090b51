import type { Queues, RedisPing } from '@tracksync/queue';
import type { Logger } from '@tracksync/runtime';
import express, { type Express } from 'express';
import type { IngressConfig } from './config';
import { createIngressMetrics, type IngressMetrics } from './metrics';
import { countRequests } from './middleware/count-requests';
import { createErrorHandler, notFound } from './middleware/errors';
import { createCallbackRoute } from './routes/callback';
import { createHealthRouter } from './routes/health';
import { WEBHOOK_ROUTE } from './webhook/answer';

export interface IngressDeps {
  readonly config: IngressConfig;
  readonly queues: Queues;
  /** Probes the connection the queues use (`readinessPing`). */
  readonly redis: RedisPing;
  readonly log: Logger;
  /** Defaults to a fresh registry of this app's own. */
  readonly metrics?: IngressMetrics;
}

/** The ingress HTTP app, not listening: main.ts, tests and the benchmark each listen their way. */
export function createApp(deps: IngressDeps): Express {
  const metrics = deps.metrics ?? createIngressMetrics();
  const webhook = {
    config: deps.config,
    queues: deps.queues,
    log: deps.log,
    metrics,
    secrets: deps.config.STARSHIPIT_WEBHOOK_SECRET,
  };
  const app = express();
  app.disable('x-powered-by');
  // First in the stack, so the one busy route passes through nothing else; it counts its own
  // answers. Non-strict routing also serves `/callback/`.
  app.post(WEBHOOK_ROUTE, ...createCallbackRoute(webhook));
  app.use(countRequests(metrics));
  app.use(createHealthRouter({ redis: deps.redis, metrics }));
  app.use(notFound);
  app.use(createErrorHandler(deps.log));
  return app;
}
