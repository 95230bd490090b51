import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { JOBS, QUEUE_NAMES, type JobData, type JobName, type QueueName } from './catalog';

export type Queues = Readonly<Record<QueueName, Queue>>;

export interface QueueSettings {
  readonly connection: ConnectionOptions;
  readonly prefix: string;
  /** Every Queue emits its connection's errors; unheard, an 'error' event ends the process. */
  readonly onError: (err: Error, queue: QueueName) => void;
}

export function createQueues({ connection, prefix, onError }: QueueSettings): Queues {
  const make = (name: QueueName) => {
    const queue = new Queue(name, { connection, prefix });
    queue.on('error', (err) => {
      onError(err, name);
    });
    return queue;
  };
  return {
    ingest: make(QUEUE_NAMES.ingest),
    parked: make(QUEUE_NAMES.parked),
    delivery: make(QUEUE_NAMES.delivery),
    reconcile: make(QUEUE_NAMES.reconcile),
  };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
}

type Overrides = Pick<JobsOptions, 'attempts' | 'backoff' | 'delay'>;

/** A job as Queue.add and Queue.addBulk take it: catalog options, catalog job id. */
export interface CatalogJob<N extends JobName> {
  readonly name: N;
  readonly data: JobData<N>;
  readonly opts: JobsOptions & { readonly jobId: string };
}

/**
 * The job for data that already matches the catalog's schema, with no second validation: for a
 * producer that built the data from values it validated itself (the ingress's tracking events,
 * at thousands a second). The consumer parses every job anyway.
 */
export function catalogJob<N extends JobName>(
  name: N,
  data: JobData<N>,
  overrides: Overrides = {},
): CatalogJob<N> {
  const job = JOBS[name];
  const jobId = (job.jobId as (data: JobData<N>) => string)(data);
  return { name, data, opts: { ...job.options, ...overrides, jobId } };
}

/**
 * Validates the payload against the catalog and adds it under its catalog job id. Adding an
 * id that is already in the queue is a no-op in BullMQ, which is what makes repeats harmless.
 */
export async function enqueue<N extends JobName>(
  queues: Queues,
  name: N,
  data: JobData<N>,
  overrides: Overrides = {},
): Promise<string> {
  const job = catalogJob(name, JOBS[name].schema.parse(data) as JobData<N>, overrides);
  await queues[JOBS[name].queue].add(name, job.data, job.opts);
  return job.opts.jobId;
}

/** Parses a job's data at the consumer, so a producer on an older version fails loudly. */
export function parseJobData<N extends JobName>(name: N, data: unknown): JobData<N> {
  return JOBS[name].schema.parse(data) as JobData<N>;
}
