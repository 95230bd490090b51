import { enqueue, type JobData, type JobName, type Queues } from '@tracksync/queue';
import { withTimeout } from '@tracksync/runtime';
import { z } from 'zod';

/**
 * The webhook must be answered within 2 s even when Redis hangs rather than refuses; 1.5 s for
 * Redis leaves the rest for the answer itself. A job that lands after the timeout does no harm:
 * its id is its dedup key, so the sender's retry of the 503 finds it and changes nothing.
 */
export const ENQUEUE_TIMEOUT_MS = 1_500;

export type EnqueueOutcome =
  { readonly ok: true; readonly jobId: string } | { readonly ok: false; readonly error: unknown };

/**
 * Enqueues under a deadline and reports Redis trouble as a value, so the caller answers 503.
 * A payload that fails the job catalog's schema is a bug in the ingress, not an outage: rethrown.
 */
export async function enqueueWithin<N extends JobName>(
  queues: Queues,
  name: N,
  data: JobData<N>,
): Promise<EnqueueOutcome> {
  try {
    const jobId = await withTimeout(
      enqueue(queues, name, data),
      ENQUEUE_TIMEOUT_MS,
      `enqueue ${name}`,
    );
    return { ok: true, jobId };
  } catch (error) {
    if (error instanceof z.ZodError) throw error;
    return { ok: false, error };
  }
}
