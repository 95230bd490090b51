import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { WorkerMetrics } from '../metrics';
import { runReconciliation, type ReconcileDeps } from '../reconcile/run';
import { readJobData } from './job-data';

export interface ReconcileRunDeps {
  /** Null when Starshipit credentials are not configured. */
  readonly reconcile: ReconcileDeps | null;
  readonly log: Logger;
  readonly metrics: WorkerMetrics;
}

/**
 * Runs one reconciliation. The reconcile queue has a global concurrency of one, so two runs
 * never overlap, whichever replica takes them; a run's own errors are recorded in its row
 * rather than thrown, and the next scheduled run starts from the unmoved cursor.
 */
export async function reconcileRun(job: Job, deps: ReconcileRunDeps) {
  const { trigger } = readJobData('reconcile-run', job.data);
  if (!deps.reconcile) {
    deps.log.warn({ jobId: job.id }, 'reconciliation skipped: Starshipit credentials not set');
    return { skipped: 'not configured' };
  }
  const result = await runReconciliation(deps.reconcile, trigger);
  deps.metrics.reconcileRuns.inc({ status: result.errors.length === 0 ? 'succeeded' : 'failed' });
  deps.metrics.reconcileEventsFound.inc(result.eventsFound);
  return result;
}
