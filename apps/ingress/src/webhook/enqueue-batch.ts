import { catalogJob, JOBS, type CatalogJob, type JobData, type Queues } from '@tracksync/queue';
import { withTimeout } from '@tracksync/runtime';
import { ENQUEUE_TIMEOUT_MS, type EnqueueOutcome } from './enqueue-within';

type TrackingEventJob = CatalogJob<'tracking-event'>;

interface Batch {
  readonly jobs: TrackingEventJob[];
  readonly waiting: { resolve: (outcome: EnqueueOutcome) => void }[];
}

/**
 * Enqueues tracking events in batches: the events of every webhook read in one turn of the
 * event loop go to Redis together, in one addBulk — one write, one round trip and one deadline
 * for all, which under load costs a fraction of an add per webhook. Each webhook still hears
 * only about its own job: the batch settles, then each caller gets the outcome. Ids stay the
 * dedup keys, so a batch changes nothing about repeats; a batch that fails or misses the
 * deadline is reported to every caller in it (503, and the sender retries each event).
 *
 * The data is not validated again: the ingress built it from a payload it just validated.
 */
export function createTrackingEventBatcher(
  queues: Queues,
): (data: JobData<'tracking-event'>) => Promise<EnqueueOutcome> {
  const queue = queues[JOBS['tracking-event'].queue];
  let open: Batch | null = null;

  const add = async (jobs: TrackingEventJob[]): Promise<void> => {
    // A lone job (the quiet-hours case) needs no pipeline.
    const [only] = jobs;
    if (jobs.length === 1 && only) await queue.add(only.name, only.data, only.opts);
    else await queue.addBulk(jobs);
  };

  const send = async ({ jobs, waiting }: Batch): Promise<void> => {
    try {
      await withTimeout(add(jobs), ENQUEUE_TIMEOUT_MS, 'enqueue tracking-event');
      jobs.forEach((job, i) => waiting[i]?.resolve({ ok: true, jobId: job.opts.jobId }));
    } catch (error) {
      for (const { resolve } of waiting) resolve({ ok: false, error });
    }
  };

  return (data) =>
    new Promise((resolve) => {
      if (!open) {
        const batch: Batch = { jobs: [], waiting: [] };
        open = batch;
        // After the I/O callbacks of this turn, so every body that arrived with it is in.
        setImmediate(() => {
          open = null;
          void send(batch);
        });
      }
      open.jobs.push(catalogJob('tracking-event', data));
      open.waiting.push({ resolve });
    });
}
