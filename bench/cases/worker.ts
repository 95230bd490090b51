import { describeCpu } from '../lib/cpu';
import type { BenchConfig } from '../lib/config';
import { progress } from '../lib/out';
import type { Scratch } from '../lib/resources';
import { round, summarize, type Summary } from '../lib/stats';
import { runBullmqNoop, runSqlLoop, runWorker, type WorkerRun } from './worker-runs';

export interface Series {
  readonly runs: WorkerRun[];
  readonly eventsPerS: Summary;
}

export interface WorkerCaseResult {
  /** 2a: the single-event ingest SQL, one event per round, `workerConcurrency` at once. */
  readonly sqlLoop: Series;
  /** 2d: the group commit's SQL alone, batches of `ingestBatch`, two at once. */
  readonly batchedSqlLoop: Series;
  /** 2b: the worker as configured by default (group commit on). */
  readonly worker: Series;
  /** 2b′: the ingest lane as before group commit (INGEST_BATCH_MAX=1, 8 jobs at once). */
  readonly workerUnbatched: Series;
  readonly bullmqNoop: Series;
  /** median(worker) / median(sql loop). */
  readonly dbRatio: number;
  /** median(worker without group commit) / median(sql loop): the ratio before it. */
  readonly unbatchedDbRatio: number;
  /**
   * What 2(b) could reach if it cost nothing beyond its SQL (2d) and its two BullMQ calls per
   * event (2c): 1 / (1/d + 1/c). `overheadRatio` = median(worker) / that bound.
   */
  readonly combinedBound: number;
  readonly overheadRatio: number;
  readonly peakRssMb: number | null;
}

/** The batch size and overlap the worker's group commit uses by default (workers.ts). */
const INGEST_BATCH = 32;
const BATCHES_IN_FLIGHT = 2;

type Runner = () => Promise<WorkerRun>;

export async function runWorkerCase(
  config: BenchConfig,
  scratch: Scratch,
): Promise<WorkerCaseResult> {
  const runners: Record<string, { label: string; run: Runner; runs: WorkerRun[] }> = {
    sqlLoop: { label: 'plain pg loop', run: () => runSqlLoop(config, scratch), runs: [] },
    batchedSqlLoop: {
      label: 'batched SQL alone',
      run: () => runSqlLoop(config, scratch, { batch: INGEST_BATCH, inFlight: BATCHES_IN_FLIGHT }),
      runs: [],
    },
    bullmqNoop: { label: 'bare BullMQ', run: () => runBullmqNoop(config, scratch), runs: [] },
    worker: { label: 'worker', run: () => runWorker(config, scratch), runs: [] },
    workerUnbatched: {
      label: 'worker without group commit',
      // The ingest lane as it was: one event per round trip, WORKER_CONCURRENCY at once.
      run: () =>
        runWorker(config, scratch, {
          INGEST_BATCH_MAX: '1',
          INGEST_CONCURRENCY: String(config.workerConcurrency),
        }),
      runs: [],
    },
  };
  // Interleaved, so a slow minute of this shared machine touches every series alike.
  for (let i = 0; i < config.repeats; i += 1) {
    for (const series of Object.values(runners)) {
      const run = await series.run();
      series.runs.push(run);
      progress(
        `worker case run ${i + 1}/${config.repeats} ${series.label}: ${round(run.eventsPerS, 0)} events/s (${run.events} events${run.failedJobs === undefined ? '' : `, ${run.failedJobs} failed, peak RSS ${round(run.peakRssMb ?? Number.NaN)} MB`}; ${describeCpu(run.cpu)} incl. start-up)`,
      );
    }
  }
  const series = (name: string): Series => {
    const runs = runners[name]?.runs ?? [];
    return { runs, eventsPerS: summarize(runs.map((run) => run.eventsPerS)) };
  };
  const [sqlLoop, batchedSqlLoop, worker, workerUnbatched, bullmqNoop] = [
    'sqlLoop',
    'batchedSqlLoop',
    'worker',
    'workerUnbatched',
    'bullmqNoop',
  ].map(series) as [Series, Series, Series, Series, Series];
  const combinedBound =
    1 / (1 / batchedSqlLoop.eventsPerS.median + 1 / bullmqNoop.eventsPerS.median);
  const peaks = [...worker.runs, ...workerUnbatched.runs]
    .map((run) => run.peakRssMb)
    .filter((value) => value !== null);
  return {
    sqlLoop,
    batchedSqlLoop,
    worker,
    workerUnbatched,
    bullmqNoop,
    combinedBound,
    overheadRatio: worker.eventsPerS.median / combinedBound,
    dbRatio: worker.eventsPerS.median / sqlLoop.eventsPerS.median,
    unbatchedDbRatio: workerUnbatched.eventsPerS.median / sqlLoop.eventsPerS.median,
    peakRssMb: peaks.length > 0 ? Math.max(...peaks) : null,
  };
}
