import { parkPayload, type Database } from '@tracksync/db';
import { JOBS } from '@tracksync/queue';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { WorkerMetrics } from '../metrics';
import { readJobData } from './job-data';

export interface ParkPayloadDeps {
  readonly db: Database;
  readonly log: Logger;
  readonly metrics: WorkerMetrics;
}

export interface ParkOutcome {
  readonly parkedId: string;
  readonly stored: boolean;
}

/**
 * Keeps a rejected-but-authentic body in Postgres. The parked id is derived from the body
 * with the catalog's own job id rule, not read from the job, so the same body is kept once
 * even when it arrives under another job id (after Redis trimmed the first, or from a replay).
 */
export async function storeParkedPayload(job: Job, deps: ParkPayloadDeps): Promise<ParkOutcome> {
  const data = readJobData('parked-payload', job.data);
  const parkedId = JOBS['parked-payload'].jobId(data);
  const stored = await parkPayload(deps.db, {
    parkedId,
    reason: data.reason,
    body: data.body,
    issues: data.issues,
    receivedAt: new Date(data.receivedAt),
  });

  deps.metrics.parkedPayloads.inc({ outcome: stored ? 'stored' : 'duplicate' });
  deps.log.info(
    {
      parkedId,
      reason: data.reason,
      issues: data.issues.length,
      bodyBytes: Buffer.byteLength(data.body),
      receivedAt: data.receivedAt,
      result: stored ? 'stored' : 'duplicate',
    },
    'payload parked',
  );
  return { parkedId, stored };
}
