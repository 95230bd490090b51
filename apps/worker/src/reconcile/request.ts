import { enqueue, type Queues } from '@tracksync/queue';

/**
 * Queues a reconciliation run now. It goes through the same queue as scheduled runs, whose
 * concurrency of one means it never overlaps one. Returns the job id.
 */
export async function requestReconcileRun(queues: Queues): Promise<string> {
  return enqueue(queues, 'reconcile-run', { trigger: 'manual' });
}
