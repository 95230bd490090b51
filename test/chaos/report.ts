import { writeFile } from 'node:fs/promises';
import type { InjectedFault } from './faults';
import type { LoadLedger } from './load';
import { FAILING } from './checks';
import type { FailingDestination } from './failing-destination';
import type { Receiver } from './receiver';
import type { Settled } from './settle';
import type { ServiceProcess } from '@tracksync/test-support';

export interface ReportInput {
  readonly profile: string;
  readonly seed: number;
  readonly ledger: LoadLedger;
  readonly settled: Settled;
  readonly receiver: Receiver;
  readonly failing: FailingDestination | null;
  readonly faults: readonly InjectedFault[];
  readonly workers: readonly ServiceProcess[];
  readonly elapsedMs: number;
}

const countLines = (workers: readonly ServiceProcess[], msg: string) =>
  workers.reduce((sum, worker) => sum + worker.lines.filter((line) => line.msg === msg).length, 0);

function countStatuses(rows: readonly { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}

/** The closing note's counts, one flat object so it prints as one line of JSON. */
export function buildReport(input: ReportInput) {
  const { ledger, settled, receiver } = input;
  const { counts } = receiver;
  const stored = settled.snapshot.events.length;
  return {
    profile: input.profile,
    // Those running at once, plus the replacement of each one killed.
    workerProcessesStarted: input.workers.length,
    seed: input.seed,
    eventsSent: ledger.events.length,
    posts: ledger.posts,
    acknowledged: ledger.events.filter((event) => event.eventId !== undefined).length,
    acknowledgedPosts: ledger.ackedPosts,
    answers503: ledger.refusals['503'] ?? 0,
    refusals: ledger.refusals,
    stored,
    // Acknowledged posts that added no row: the sender's repeats and its retries of a post
    // whose first 200 never arrived, all recognised by the dedup key.
    duplicatesSuppressed: ledger.ackedPosts - stored,
    // The healthy destination's deliveries (`default`); the failing one's are counted apart.
    deliveries: settled.snapshot.deliveries.filter((row) => row.destination !== FAILING).length,
    failingDestination: input.failing && {
      requests: input.failing.requests(),
      rows: countStatuses(settled.snapshot.deliveries.filter((row) => row.destination === FAILING)),
    },
    sinkRequests: counts.requests,
    sink2xx: counts.applied,
    redeliveredSameWebhookId: counts.redelivered,
    sinkFlap: {
      answered503: counts.flap503,
      reset: counts.flapReset,
      appliedThenReset: counts.flapAppliedThenReset,
    },
    jobsStalled: countLines(input.workers, 'job stalled, back to waiting'),
    jobRetries: countLines(input.workers, 'job failed, will retry'),
    faultsInjected: input.faults.length,
    faults: input.faults,
    loadMs: Math.round(ledger.endedMs),
    settleMs: settled.settleMs,
    elapsedMs: Math.round(input.elapsedMs),
  };
}

export type ChaosReport = ReturnType<typeof buildReport>;

/** One line on stdout; also to the file named by CHAOS_REPORT, when set. */
export async function publishReport(report: ChaosReport, path: string | undefined) {
  const line = `${JSON.stringify(report)}\n`;
  process.stdout.write(`chaos report: ${line}`);
  if (path) await writeFile(path, line);
}
