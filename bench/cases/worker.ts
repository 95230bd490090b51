import { describeCpu } from '../lib/cpu';
import type { BenchConfig } from '../lib/config';
import { progress } from '../lib/out';
import type { Scratch } from '../lib/resources';
import { round, summarize, type Summary } from '../lib/stats';
import { runBullmqNoop, runSqlLoop, runWorker, type WorkerRun } from './worker-runs';

export interface WorkerCaseResult {
  readonly sqlLoop: { readonly runs: WorkerRun[]; readonly eventsPerS: Summary };
  readonly worker: { readonly runs: WorkerRun[]; readonly eventsPerS: Summary };
  readonly bullmqNoop: { readonly runs: WorkerRun[]; readonly eventsPerS: Summary };
  /** median(worker) / median(sql loop). */
  readonly dbRatio: number;
  /**
   * What 2(b) could reach if it cost nothing beyond its SQL (2a) and its two BullMQ calls per
   * event (2c): 1 / (1/a + 1/c). `overheadRatio` = median(worker) / that bound.
   */
  readonly combinedBound: number;
  readonly overheadRatio: number;
  readonly peakRssMb: number | null;
}

export async function runWorkerCase(
  config: BenchConfig,
  scratch: Scratch,
): Promise<WorkerCaseResult> {
  const sqlRuns: WorkerRun[] = [];
  const workerRuns: WorkerRun[] = [];
  const noopRuns: WorkerRun[] = [];
  for (let i = 0; i < config.repeats; i += 1) {
    const sql = await runSqlLoop(config, scratch);
    sqlRuns.push(sql);
    progress(
      `worker case run ${i + 1}/${config.repeats} plain pg loop: ${round(sql.eventsPerS, 0)} events/s (${sql.events} events, ${round(sql.wallMs / 1000, 2)} s wall, ${describeCpu(sql.cpu)} incl. start-up)`,
    );
    const noop = await runBullmqNoop(config, scratch);
    noopRuns.push(noop);
    progress(
      `worker case run ${i + 1}/${config.repeats} bare BullMQ (no database): ${round(noop.eventsPerS, 0)} events/s; ${describeCpu(noop.cpu)} incl. start-up`,
    );
    const worker = await runWorker(config, scratch);
    workerRuns.push(worker);
    progress(
      `worker case run ${i + 1}/${config.repeats} worker: ${round(worker.eventsPerS, 0)} events/s (${worker.events} events, ${worker.deliveriesQueued ?? 0} deliveries queued, ${worker.failedJobs ?? 0} failed, peak RSS ${round(worker.peakRssMb ?? Number.NaN)} MB; ${describeCpu(worker.cpu)} incl. start-up)`,
    );
  }
  const sqlLoop = { runs: sqlRuns, eventsPerS: summarize(sqlRuns.map((run) => run.eventsPerS)) };
  const worker = {
    runs: workerRuns,
    eventsPerS: summarize(workerRuns.map((run) => run.eventsPerS)),
  };
  const bullmqNoop = {
    runs: noopRuns,
    eventsPerS: summarize(noopRuns.map((run) => run.eventsPerS)),
  };
  const combinedBound = 1 / (1 / sqlLoop.eventsPerS.median + 1 / bullmqNoop.eventsPerS.median);
  const peaks = workerRuns.map((run) => run.peakRssMb).filter((value) => value !== null);
  return {
    sqlLoop,
    worker,
    bullmqNoop,
    combinedBound,
    overheadRatio: worker.eventsPerS.median / combinedBound,
    dbRatio: worker.eventsPerS.median / sqlLoop.eventsPerS.median,
    peakRssMb: peaks.length > 0 ? Math.max(...peaks) : null,
  };
}
