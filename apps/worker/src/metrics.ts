import type { QueueName, Queues } from '@tracksync/queue';
import { withTimeout } from '@tracksync/runtime';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

export const METRIC_PREFIX = 'tracksync_worker_';

/** Every state a job can be in; listed so a state with no jobs still reports 0. */
const JOB_STATES = [
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

export interface WorkerMetrics {
  readonly registry: Registry;
  readonly eventsByResult: Counter<'result'>;
  readonly unknownStatusEvents: Counter;
  readonly parkedPayloads: Counter<'outcome'>;
  readonly jobFailures: Counter<'queue' | 'job' | 'final'>;
}

export interface WorkerMetricsDeps {
  readonly queues: Queues;
  readonly log: Logger;
}

/**
 * One registry per instance rather than prom-client's global one, so tests and several
 * workers in one process never collide. Queue gauges read Redis at scrape time: the numbers
 * are as fresh as the scrape and no timer runs in the background.
 */
export function createWorkerMetrics({ queues, log }: WorkerMetricsDeps): WorkerMetrics {
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
        // getWaiting reads the list oldest first, so index 0 is the job that waited longest.
        const [oldest] = await queue.getWaiting(0, 0);
        const ageMs = oldest ? Math.max(0, Date.now() - oldest.timestamp) : 0;
        this.set({ queue: name }, ageMs / 1000);
      });
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
  };
  // Zero series from the start, so rate() and alerts see a 0 rather than no data.
  for (const result of EVENT_RESULTS) metrics.eventsByResult.inc({ result }, 0);
  for (const outcome of PARK_OUTCOMES) metrics.parkedPayloads.inc({ outcome }, 0);
  return metrics;
}

/** Reads every queue; a queue that cannot be read is logged and left out of this scrape. */
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
