import type { StarshipitClient } from '@tracksync/starshipit';
import {
  failPendingDelivery,
  recordTrackingEvent,
  recordTrackingEventBatch,
  type Database,
  type IncomingEvent,
  type RecordResult,
} from '@tracksync/db';
import {
  JOBS,
  QUEUE_NAMES,
  parseJobData,
  type JobName,
  type QueueName,
  type Queues,
  type RedisClient,
} from '@tracksync/queue';
import { TimeoutError, withTimeout } from '@tracksync/runtime';
import { UnrecoverableError, Worker, type BackoffOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { WorkerConfig } from './config';
import type { WorkerMetrics } from './metrics';
import { nextRetryDelayMs } from './deliveries/backoff';
import type { DestinationControl } from './destinations/control';
import type { DestinationSet } from './destinations/set';
import { deliverShipment } from './processors/deliver-shipment';
import { createGroupCommit } from './processors/group-commit';
import { ingestEvent } from './processors/ingest-event';
import { reconcileRun } from './processors/reconcile-run';
import { storeParkedPayload } from './processors/park-payload';

export interface WorkersDeps {
  readonly config: Pick<
    WorkerConfig,
    | 'QUEUE_PREFIX'
    | 'WORKER_CONCURRENCY'
    | 'WORKER_LOCK_MS'
    | 'DELIVERY_ATTEMPTS'
    | 'DELIVERY_BACKOFF_MS'
    | 'STALE_AFTER'
    | 'STARSHIPIT_TIMEZONE'
    | 'INGEST_CONCURRENCY'
    | 'INGEST_BATCH_MAX'
  >;
  readonly db: Database;
  /** Producer side: the ingest processor adds delivery jobs, deliveries promote successors. */
  readonly queues: Queues;
  /** Where changes go, and the pause and rate cap each destination is under. */
  readonly destinations: DestinationSet;
  readonly control: DestinationControl;
  /** Null when Starshipit credentials are not set: reconciliation runs are then skipped. */
  readonly starshipit: StarshipitClient | null;
  /** A worker connection (`maxRetriesPerRequest: null`); BullMQ duplicates it for blocking. */
  readonly connection: RedisClient;
  readonly log: Logger;
  readonly metrics: WorkerMetrics;
}

export type JobProcessor = (job: Job, token?: string) => Promise<unknown>;

/** One handler per job of the catalog: a job added there without a handler does not compile. */
export type Processors = { readonly [N in JobName]: JobProcessor };

export interface WorkerSet {
  readonly workers: Readonly<Record<QueueName, Worker>>;
  /**
   * Stops taking jobs and waits for those in flight, up to `deadlineMs`. Past it the process
   * may exit anyway: unfinished jobs keep their lock until it expires, then stalled-job
   * recovery hands them to another worker, and the event log's unique ids make that safe.
   */
  close(deadlineMs?: number): Promise<void>;
}

/** Leaves room inside the 25 s shutdown budget (and Kubernetes' 30 s grace) for the rest. */
const DEFAULT_CLOSE_DEADLINE_MS = 15_000;

/** Parked payloads are rare and not urgent; two at a time keeps them off the pool's back. */
const PARKED_CONCURRENCY = 2;

/**
 * Group commit of ingest jobs: a batch waits at most a millisecond for company, and two
 * batches overlap so one gathers while the other is on the wire.
 */
const INGEST_GATHER_MS = 1;
const INGEST_BATCHES_IN_FLIGHT = 2;

function eventRecorder(deps: WorkersDeps): (incoming: IncomingEvent) => Promise<RecordResult> {
  if (deps.config.INGEST_BATCH_MAX === 1)
    return (incoming) => recordTrackingEvent(deps.db, incoming, deps.destinations.outbox);
  return createGroupCommit({
    maxBatch: deps.config.INGEST_BATCH_MAX,
    gatherMs: INGEST_GATHER_MS,
    maxInFlight: INGEST_BATCHES_IN_FLIGHT,
    keyOf: (incoming: IncomingEvent) => incoming.event.trackingNumber,
    commit: (batch) => {
      deps.metrics.ingestBatchSize.observe(batch.length);
      return recordTrackingEventBatch(deps.db, batch, deps.destinations.outbox);
    },
  });
}

export function createProcessors(deps: WorkersDeps): Processors {
  const reconcile = deps.starshipit && {
    ...deps,
    client: deps.starshipit,
    timeZone: deps.config.STARSHIPIT_TIMEZONE,
    staleAfterMs: deps.config.STALE_AFTER,
  };
  const ingest = { ...deps, recordEvent: eventRecorder(deps) };
  return {
    'tracking-event': (job) => ingestEvent(job, ingest),
    'parked-payload': (job) => storeParkedPayload(job, deps),
    'deliver-shipment': (job, token) => deliverShipment(job, token, deps),
    'reconcile-run': (job) => reconcileRun(job, { ...deps, reconcile }),
  };
}

export function createWorkers(deps: WorkersDeps): WorkerSet {
  const processors = createProcessors(deps);
  const concurrency: Record<QueueName, number> = {
    ingest: deps.config.INGEST_CONCURRENCY,
    parked: PARKED_CONCURRENCY,
    delivery: deps.config.WORKER_CONCURRENCY,
    // One run at a time per replica; the queue's global concurrency makes it one in all.
    reconcile: 1,
  };
  const start = (queue: QueueName) => {
    const worker = new Worker(queue, dispatchFor(queue, processors), {
      connection: deps.connection,
      prefix: deps.config.QUEUE_PREFIX,
      concurrency: concurrency[queue],
      // The lock is renewed every lockDuration/2 while the process lives, so only a dead or
      // frozen worker loses it. WORKER_LOCK_MS (30 s by default) then bounds how long a
      // crashed worker's jobs sit before the stalled check puts them back: about twice that.
      lockDuration: deps.config.WORKER_LOCK_MS,
      stalledInterval: deps.config.WORKER_LOCK_MS,
      // A job that stalls twice probably kills its worker; failing it keeps it visible in the
      // failed set instead of letting it take down replica after replica.
      maxStalledCount: 1,
      settings: {
        backoffStrategy: (attemptsMade, _type, err, job) =>
          nextRetryDelayMs(attemptsMade, backoffBaseMs(job?.opts.backoff), err),
      },
    });
    listen(worker, queue, deps);
    return worker;
  };
  const workers = {
    ingest: start(QUEUE_NAMES.ingest),
    parked: start(QUEUE_NAMES.parked),
    delivery: start(QUEUE_NAMES.delivery),
    reconcile: start(QUEUE_NAMES.reconcile),
  };

  return {
    workers,
    async close(deadlineMs = DEFAULT_CLOSE_DEADLINE_MS) {
      const closing = Promise.all(Object.values(workers).map((worker) => worker.close()));
      try {
        await withTimeout(closing, deadlineMs, 'closing workers');
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
        deps.log.warn({ deadlineMs }, 'jobs still running at the deadline, left to recovery');
      }
    },
  };
}

/** The base delay a job was enqueued with (`DELIVERY_BACKOFF_MS` for deliveries). */
function backoffBaseMs(backoff: number | BackoffOptions | undefined): number {
  if (typeof backoff === 'number') return backoff;
  return backoff?.delay ?? 1000;
}

function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

/** Routes a job to its handler; a job this queue does not know can never succeed here. */
function dispatchFor(queue: QueueName, processors: Processors): JobProcessor {
  return async (job, token) => {
    if (!isJobName(job.name) || JOBS[job.name].queue !== queue) {
      throw new UnrecoverableError(`no processor for job "${job.name}" on queue ${queue}`);
    }
    return processors[job.name](job, token);
  };
}

function listen(worker: Worker, queue: QueueName, deps: WorkersDeps): void {
  const { log, metrics } = deps;
  worker.on('error', (err) => {
    log.error({ err, queue }, 'worker error');
  });
  worker.on('failed', (job, err) => {
    // BullMQ sets finishedOn only when a job fails for good (attempts used up or unrecoverable).
    const final = job === undefined || job.finishedOn !== undefined;
    metrics.jobFailures.inc({ queue, job: job?.name ?? 'unknown', final: String(final) });
    const fields = {
      err,
      queue,
      jobId: job?.id,
      jobName: job?.name,
      attemptsMade: job?.attemptsMade,
      attempts: job?.opts.attempts,
      final,
    };
    if (final) log.error(fields, 'job failed for good');
    else log.warn(fields, 'job failed, will retry');
    if (final && job?.name === 'deliver-shipment') void settleFailedDelivery(job, err, deps);
  });
  worker.on('stalled', (jobId) => {
    log.warn({ queue, jobId }, 'job stalled, back to waiting');
  });
}

/**
 * A delivery job that failed for good without recording its outcome (say Postgres was down
 * on the last attempt) would leave its row pending and hold back later changes of the same
 * shipment for ever; mark it failed so they proceed and it shows in the ops API for replay.
 */
async function settleFailedDelivery(job: Job, err: Error, deps: WorkersDeps): Promise<void> {
  try {
    const { deliveryId } = parseJobData('deliver-shipment', job.data);
    await failPendingDelivery(deps.db, deliveryId, err.message);
  } catch (settleErr) {
    deps.log.error({ err: settleErr, jobId: job.id }, 'could not mark the delivery failed');
  }
}
