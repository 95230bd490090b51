import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export const METRIC_PREFIX = 'tracksync_ingress_';

/** Why a webhook got a non-200 answer; also the `error` code of the answer. */
export const REJECTION_REASONS = [
  'invalid_json',
  'invalid_signature',
  'payload_too_large',
  'invalid_payload',
  'queue_unavailable',
  'unsupported_content_encoding',
  'unreadable_body',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

export type ParkReason = 'invalid_json' | 'invalid_payload';

export interface IngressMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'status'>;
  readonly rejected: Counter<'reason'>;
  readonly accepted: Counter<'tracking_status'>;
  readonly parked: Counter<'reason'>;
}

/**
 * A registry of the app instance's own (never prom-client's global one), so several apps in
 * one process, as in tests and the benchmark, count separately and never collide on names.
 */
export function createIngressMetrics(): IngressMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const metrics: IngressMetrics = {
    registry,
    requests: new Counter({
      name: `${METRIC_PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by route and status code',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: `${METRIC_PREFIX}webhooks_rejected_total`,
      help: 'Webhooks answered with an error, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    accepted: new Counter({
      name: `${METRIC_PREFIX}webhooks_accepted_total`,
      help: 'Tracking events accepted and enqueued, by whether tracksync knows their status',
      labelNames: ['tracking_status'],
      registers: [registry],
    }),
    parked: new Counter({
      name: `${METRIC_PREFIX}payloads_parked_total`,
      help: 'Authentic but unusable payloads kept for inspection and replay, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
  // Zero series from the start, so rate() and alerts work before the first rejection.
  for (const reason of REJECTION_REASONS) metrics.rejected.inc({ reason }, 0);
  for (const status of ['known', 'unknown']) metrics.accepted.inc({ tracking_status: status }, 0);
  for (const reason of ['invalid_json', 'invalid_payload']) metrics.parked.inc({ reason }, 0);
  return metrics;
}
