import { trackingEventSchema } from '@tracksync/domain';
import type { JobsOptions } from 'bullmq';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';

export const QUEUE_NAMES = {
  ingest: 'ingest',
  parked: 'parked',
  delivery: 'delivery',
  reconcile: 'reconcile',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export const eventSourceSchema = z.enum(['webhook', 'poll', 'replay']);
export type EventSource = z.infer<typeof eventSourceSchema>;

/** A verified, normalised tracking update on its way to the event log. */
export const trackingEventJobSchema = z.object({
  eventId: z.string().regex(/^[0-9a-f]{64}$/),
  source: eventSourceSchema,
  receivedAt: z.iso.datetime(),
  event: trackingEventSchema,
  /**
   * The body as Starshipit sent it, extra fields included; stored verbatim in the log. Checked,
   * not rebuilt: a rebuilt object would drop an own `__proto__` key the sender put there.
   */
  payload: z.custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'must be a JSON object',
  ),
});

export type TrackingEventJob = z.infer<typeof trackingEventJobSchema>;

/** An authentic request the ingress had to reject, kept whole so it can be fixed and replayed. */
export const parkedPayloadJobSchema = z.object({
  reason: z.enum(['invalid_json', 'invalid_payload']),
  body: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
  receivedAt: z.iso.datetime(),
});

export type ParkedPayloadJob = z.infer<typeof parkedPayloadJobSchema>;

/** One change of a shipment's state to push to the source system (row in `deliveries`). */
export const deliverShipmentJobSchema = z.object({
  deliveryId: z.string().regex(/^dlv_[0-9a-f]{32}$/),
});

export type DeliverShipmentJob = z.infer<typeof deliverShipmentJobSchema>;

/**
 * The backoff of every tracksync job: exponential with jitter, each step capped at an hour,
 * stretched to a source system's `Retry-After`. The worker registers the strategy.
 */
export const JITTERED_BACKOFF_TYPE = 'jittered-exponential';

/** One reconciliation run: polls Starshipit for what webhooks missed. */
export const reconcileRunJobSchema = z.object({
  trigger: z.enum(['schedule', 'manual']),
});

export type ReconcileRunJob = z.infer<typeof reconcileRunJobSchema>;

/** The fixed id of the reconciliation job scheduler: upserting it again never adds a second. */
export const RECONCILE_SCHEDULER_ID = 'reconcile-every';

const DAY_SECONDS = 24 * 60 * 60;

/**
 * Every job of tracksync, by name: its queue, payload schema, default options and job id.
 * The job id is the idempotency key in Redis; Postgres unique keys are the real guard, since
 * completed jobs are trimmed (after a day or 10k jobs) and an id can then be reused.
 */
export const JOBS = {
  'tracking-event': {
    queue: QUEUE_NAMES.ingest,
    schema: trackingEventJobSchema,
    jobId: (data: TrackingEventJob) => data.eventId,
    // An acknowledged webhook must outlive a long Postgres outage: 20 jittered steps capped
    // at an hour keep retrying for about nine hours before the job is failed.
    options: {
      attempts: 20,
      backoff: { type: JITTERED_BACKOFF_TYPE, delay: 1000 },
      removeOnComplete: { age: DAY_SECONDS, count: 10_000 },
      removeOnFail: { age: 14 * DAY_SECONDS },
    },
  },
  'parked-payload': {
    queue: QUEUE_NAMES.parked,
    schema: parkedPayloadJobSchema,
    jobId: (data: ParkedPayloadJob) => createHash('sha256').update(data.body).digest('hex'),
    options: {
      attempts: 20,
      backoff: { type: JITTERED_BACKOFF_TYPE, delay: 1000 },
      removeOnComplete: { age: DAY_SECONDS, count: 1_000 },
      removeOnFail: { age: 14 * DAY_SECONDS },
    },
  },
  'deliver-shipment': {
    queue: QUEUE_NAMES.delivery,
    schema: deliverShipmentJobSchema,
    jobId: (data: DeliverShipmentJob) => data.deliveryId,
    // Attempts and the base delay come from the worker's DELIVERY_* settings at enqueue.
    options: {
      attempts: 15,
      backoff: { type: JITTERED_BACKOFF_TYPE, delay: 1000 },
      removeOnComplete: { age: DAY_SECONDS, count: 10_000 },
      // Failed deliveries are the dead-letter view in Bull Board: keep them for a month.
      removeOnFail: { age: 30 * DAY_SECONDS },
    },
  },
  'reconcile-run': {
    queue: QUEUE_NAMES.reconcile,
    schema: reconcileRunJobSchema,
    // Manual runs get their own id per request; the scheduler names its own jobs.
    jobId: (data: ReconcileRunJob) => `${data.trigger}-${randomUUID()}`,
    // A failed run is not retried: the next scheduled run starts from the same cursor anyway.
    options: {
      attempts: 1,
      removeOnComplete: { age: 7 * DAY_SECONDS, count: 500 },
      removeOnFail: { age: 30 * DAY_SECONDS },
    },
  },
} as const satisfies Record<
  string,
  {
    queue: QueueName;
    schema: z.ZodType;
    jobId: (data: never) => string;
    options: JobsOptions;
  }
>;

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.infer<(typeof JOBS)[N]['schema']>;
