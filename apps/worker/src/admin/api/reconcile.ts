import { listReconcileRuns, readCursor, type Database, type ReconcileRunRow } from '@tracksync/db';
import type { Queues } from '@tracksync/queue';
import { Router } from 'express';
import { z } from 'zod';
import { requestReconcileRun } from '../../reconcile/request';
import { SHIPPED_CURSOR } from '../../reconcile/run';
import { limitSchema, parseOrReject } from './request';

export interface ReconcileRoutesDeps {
  readonly db: Database;
  readonly queues: Queues;
  /** False when Starshipit credentials are not set. */
  readonly reconcileEnabled: boolean;
}

const runsQuerySchema = z.strictObject({ limit: limitSchema });

export function reconcileRoutes(deps: ReconcileRoutesDeps): Router {
  const router = Router();
  router.post('/reconcile', async (_req, res) => {
    if (!deps.reconcileEnabled) {
      res.status(409).json({
        error: 'reconciliation_disabled',
        message: 'set STARSHIPIT_API_KEY and STARSHIPIT_SUBSCRIPTION_KEY to enable it',
      });
      return;
    }
    const jobId = await requestReconcileRun(deps.queues);
    res.status(202).json({ status: 'queued', job_id: jobId });
  });
  router.get('/reconcile/runs', async (req, res) => {
    const query = parseOrReject(runsQuerySchema, req.query, res);
    if (!query) return;
    const [cursor, runs] = await Promise.all([
      readCursor(deps.db, SHIPPED_CURSOR),
      listReconcileRuns(deps.db, query.limit),
    ]);
    res.json({
      enabled: deps.reconcileEnabled,
      cursor: cursor?.toISOString() ?? null,
      runs: runs.map(presentRun),
    });
  });
  return router;
}

function presentRun(run: ReconcileRunRow) {
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    window_start: run.windowStart.toISOString(),
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    requests: run.requests,
    pages: run.pages,
    events_found: run.eventsFound,
    shipments_polled: run.shipmentsPolled,
    unmatched_retried: run.unmatchedRetried,
    errors: run.errors,
  };
}
