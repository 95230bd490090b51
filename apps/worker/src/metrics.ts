import type { QueueName, Queues } from '@tracksync/queue';
import { withTimeout } from '@tracksync/runtime';
import type { Logger } from 'pino';
import { countStaleShipments, countUnmatchedShipments, type Database } from '@tracksync/db';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'tracksync_worker_';

/** Every state a job can be in; listed so a state with no jobs still reports 0. */
export const JOB_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'waiting-children',
  'completed',
  'failed',
] as const;

/** A scrape must answer even while Redis is away; the counters still say something useful. */
const QUEUE_SCRAPE_TIMEOUT_MS = 2_000;

const EVENT_RESULTS = ['applied', 'merged', 'unchanged', 'stale', 'duplicate'] as const;
const PARK_OUTCOMES = ['stored', 'duplicate'] as const;
const DELIVERY_STATUSES = ['delivered', 'unmatched', 'failed'] as const;
const ATTEMPT_OUTCOMES = ['applied', 'already_applied', 'not_found', 'retry', 'permanent'] as const;

export interface WorkerMetrics {
  readonly registry: Registry;
  readonly eventsByResult: Counter<'result'>;
  readonly unknownStatusEvents: Counter;
  readonly parkedPayloads: Counter<'outcome'>;
  readonly jobFailures: Counter<'queue' | 'job' | 'final'>;
  readonly deliveries: Counter<'status' | 'destination'>;
  readonly deliveryAttempts: Counter<'outcome' | 'destination'>;
  readonly receivedToDelivered: Histogram<'destination'>;
  readonly ingestBatchSize: Histogram;
  readonly reconcileRuns: Counter<'status'>;
  readonly reconcileEnabled: Gauge;
  readonly reconcileEventsFound: Counter;
  readonly starshipitRequests: Counter<'endpoint' | 'outcome'>;
}

export interface WorkerMetricsDeps {
  readonly queues: Queues;
  readonly db: Database;
  readonly log: Logger;
  /** STALE_AFTER: a non-final shipment silent this long counts as stale. */
  readonly staleAfterMs: number;
  /** The configured destinations, so their delivery series start at zero. */
  readonly destinations?: readonly string[];
}

/**
 * One registry per instance rather than prom-client's global one, so tests and several
 * workers in one process never collide. Queue gauges read Redis at scrape time: the numbers
 * are as fresh as the scrape and no timer runs in the background.
 */
export function createWorkerMetrics(deps: WorkerMetricsDeps): WorkerMetrics {
  const { queues, db, log } = deps;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  const queueList = Object.entries(queues) as [QueueName, Queues[QueueName]][];
  new Gauge({
    name: `${METRIC_PREFIX}queue_jobs`,
    help: 'Jobs in each queue by state, read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      await forEachQueue(queueList, log, async (name, queue) => {
        const counts = await queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
      });
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}queue_oldest_waiting_seconds`,
    help: 'Age of the oldest job waiting in each queue (0 when none waits)',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      this.reset();
      await forEachQueue(queueList, log, async (name, queue) => {
        this.set({ queue: name }, (await oldestWaitingAgeMs(queue)) / 1000);
      });
    },
  });

  new Gauge({
    name: `${METRIC_PREFIX}unmatched_shipments`,
    help: 'Shipments whose order the source system does not know, read at scrape time',
    registers,
    async collect() {
      try {
        this.set(await withTimeout(countUnmatchedShipments(db), QUEUE_SCRAPE_TIMEOUT_MS, 'count'));
      } catch (err) {
        log.warn({ err }, 'unmatched count unavailable');
      }
    },
  });

  new Gauge({
    name: `${METRIC_PREFIX}stale_shipments`,
    help: 'Shipments not in a final state with no update for STALE_AFTER, read at scrape time',
    registers,
    async collect() {
      try {
        const silentSince = new Date(Date.now() - deps.staleAfterMs);
        this.set(
          await withTimeout(countStaleShipments(db, silentSince), QUEUE_SCRAPE_TIMEOUT_MS, 'count'),
        );
      } catch (err) {
        log.warn({ err }, 'stale count unavailable');
      }
    },
  });

  const metrics = {
    registry,
    eventsByResult: new Counter({
      name: `${METRIC_PREFIX}events_total`,
      help: 'Tracking events processed, by what they did to their shipment',
      labelNames: ['result'] as const,
      registers,
    }),
    unknownStatusEvents: new Counter({
      name: `${METRIC_PREFIX}unknown_status_events_total`,
      help: 'Tracking events whose status is not one Starshipit documents (stored as sent)',
      registers,
    }),
    parkedPayloads: new Counter({
      name: `${METRIC_PREFIX}parked_payloads_total`,
      help: 'Rejected payloads kept for inspection: stored, or already kept',
      labelNames: ['outcome'] as const,
      registers,
    }),
    jobFailures: new Counter({
      name: `${METRIC_PREFIX}job_failures_total`,
      help: 'Failed job attempts; final="true" when no retry is left',
      labelNames: ['queue', 'job', 'final'] as const,
      registers,
    }),
    deliveries: new Counter({
      name: `${METRIC_PREFIX}deliveries_total`,
      help: 'Deliveries settled, by destination and outcome: delivered, unmatched (order unknown) or failed',
      labelNames: ['status', 'destination'] as const,
      registers,
    }),
    deliveryAttempts: new Counter({
      name: `${METRIC_PREFIX}delivery_attempts_total`,
      help: 'Calls to the source system, by destination and what it answered',
      labelNames: ['outcome', 'destination'] as const,
      registers,
    }),
    receivedToDelivered: new Histogram({
      name: `${METRIC_PREFIX}received_to_delivered_seconds`,
      help: 'From the webhook reaching the ingress to the source system accepting the change, by destination',
      labelNames: ['destination'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    ingestBatchSize: new Histogram({
      name: `${METRIC_PREFIX}ingest_batch_size`,
      help: 'Events per group commit of the ingest lane (its count is the commits made)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers,
    }),
    reconcileRuns: new Counter({
      name: `${METRIC_PREFIX}reconcile_runs_total`,
      help: 'Reconciliation runs, by whether every step succeeded',
      labelNames: ['status'] as const,
      registers,
    }),
    // Lets the "reconciliation not running" alert stay quiet where it is switched off on purpose.
    reconcileEnabled: new Gauge({
      name: `${METRIC_PREFIX}reconcile_enabled`,
      help: 'Whether this worker schedules reconciliation: 1 when Starshipit API keys are set, else 0',
      registers,
    }),
    reconcileEventsFound: new Counter({
      name: `${METRIC_PREFIX}reconcile_events_found_total`,
      help: 'Updates reconciliation found that differed from stored state (sent as poll events)',
      registers,
    }),
    starshipitRequests: new Counter({
      name: `${METRIC_PREFIX}starshipit_requests_total`,
      help: 'Calls to the Starshipit API by endpoint and HTTP status (429: rate limited)',
      labelNames: ['endpoint', 'outcome'] as const,
      registers,
    }),
  };
  // Zero series from the start, so rate() and alerts see a 0 rather than no data.
  for (const result of EVENT_RESULTS) metrics.eventsByResult.inc({ result }, 0);
  for (const outcome of PARK_OUTCOMES) metrics.parkedPayloads.inc({ outcome }, 0);
  for (const destination of deps.destinations ?? ['default']) {
    for (const status of DELIVERY_STATUSES) metrics.deliveries.inc({ status, destination }, 0);
    for (const outcome of ATTEMPT_OUTCOMES) {
      metrics.deliveryAttempts.inc({ outcome, destination }, 0);
    }
  }
  for (const status of ['succeeded', 'failed']) metrics.reconcileRuns.inc({ status }, 0);
  return metrics;
}

/** Reads every queue; a queue that cannot be read is logged and left out of this scrape. */
/** How long the oldest waiting job of `queue` has waited, in ms (0 when none waits). */
export async function oldestWaitingAgeMs(queue: Queues[QueueName]): Promise<number> {
  // getWaiting reads the list oldest first, so index 0 is the job that waited longest.
  const [oldest] = await queue.getWaiting(0, 0);
  return oldest ? Math.max(0, Date.now() - oldest.timestamp) : 0;
}

async function forEachQueue(
  queues: readonly [QueueName, Queues[QueueName]][],
  log: Logger,
  read: (name: QueueName, queue: Queues[QueueName]) => Promise<void>,
): Promise<void> {
  await Promise.all(
    queues.map(async ([name, queue]) => {
      try {
        await withTimeout(read(name, queue), QUEUE_SCRAPE_TIMEOUT_MS, `queue ${name}`);
      } catch (err) {
        log.warn({ err, queue: name }, 'queue metrics unavailable');
      }
    }),
  );
}
