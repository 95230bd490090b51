import { JOBS, RECONCILE_SCHEDULER_ID, type Queues } from '@tracksync/queue';
import type { Logger } from 'pino';

/**
 * Installs (or updates) the reconciliation scheduler. Its fixed id makes this idempotent:
 * every replica may call it at every start and there is still exactly one scheduler. The
 * queue's global concurrency of one keeps a manual run and a scheduled one from overlapping.
 * Without credentials the scheduler is removed, so an old one does not keep firing.
 */
export async function installReconcileSchedule(
  queues: Queues,
  { enabled, everyMs, log }: { enabled: boolean; everyMs: number; log: Logger },
): Promise<void> {
  await queues.reconcile.setGlobalConcurrency(1);
  if (!enabled) {
    await queues.reconcile.removeJobScheduler(RECONCILE_SCHEDULER_ID);
    log.warn('STARSHIPIT_API_KEY / STARSHIPIT_SUBSCRIPTION_KEY not set: reconciliation is off');
    return;
  }
  const { options } = JOBS['reconcile-run'];
  await queues.reconcile.upsertJobScheduler(
    RECONCILE_SCHEDULER_ID,
    { every: everyMs, tz: 'UTC' },
    {
      name: 'reconcile-run',
      data: { trigger: 'schedule' },
      opts: {
        attempts: options.attempts,
        removeOnComplete: options.removeOnComplete,
        removeOnFail: options.removeOnFail,
      },
    },
  );
  log.info({ everyMs }, 'reconciliation scheduled');
}
