import { parseJobData, type JobData, type JobName } from '@tracksync/queue';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';

/**
 * Validates a job's data at the consumer. Data that breaks the catalog's contract will not
 * become valid on a retry, so it fails at once (BullMQ's UnrecoverableError) instead of
 * burning every attempt; the failed set keeps it for inspection.
 */
export function readJobData<N extends JobName>(name: N, data: unknown): JobData<N> {
  try {
    return parseJobData(name, data);
  } catch (err) {
    if (err instanceof z.ZodError) {
      const issues = err.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw new UnrecoverableError(`invalid ${name} job data: ${issues.join('; ')}`);
    }
    throw err;
  }
}
