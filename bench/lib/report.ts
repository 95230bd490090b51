import type { E2eCaseResult } from '../cases/e2e';
import type { IngressCaseResult } from '../cases/ingress';
import type { ReplicasCaseResult } from '../cases/replicas';
import type { WorkerCaseResult } from '../cases/worker';
import { cpus } from 'node:os';
import type { CpuUse } from './cpu';
import { round, summarize, type Summary } from './stats';

export interface Results {
  readonly ingress?: IngressCaseResult;
  readonly worker?: WorkerCaseResult;
  readonly e2e?: E2eCaseResult;
  readonly replicas?: ReplicasCaseResult;
  readonly rssMb: { readonly ingress: number | null; readonly worker: number | null };
}

/** `ingress 0.61 + workers 0.80 + redis 0.20, rest 0.35` of the machine's cores. */
function cpuCores(use: CpuUse): string {
  const sum = (prefix: string) =>
    Object.entries(use.cores)
      .filter(([name]) => name.startsWith(prefix))
      .reduce((total, [, cores]) => total + (cores ?? 0), 0);
  const listed = sum('');
  const busy = (use.machineBusyPct / 100) * cpus().length;
  const parts = [
    `ingress ${sum('ingress').toFixed(2)}`,
    `workers ${sum('worker').toFixed(2)}`,
    `redis ${sum('redis').toFixed(2)}`,
  ];
  return `${parts.join(' + ')}, bench ${use.benchCores.toFixed(2)}, rest (Postgres, system) ${Math.max(0, busy - listed - use.benchCores).toFixed(2)}`;
}

const cell = (summary: Summary, digits = 0) =>
  summary.runs.length === 0
    ? 'n/a'
    : `${round(summary.median, digits)} (${round(summary.min, digits)}–${round(summary.max, digits)}, ±${round(summary.spreadPct / 2, 0)}%)`;

const value = (x: number | null, digits = 2) =>
  x === null || Number.isNaN(x) ? 'n/a' : String(round(x, digits));

/** One row per measured quantity: median over the runs, then min–max and half the spread. */
export function markdownTable(results: Results): string {
  const rows: string[][] = [];
  const { ingress, worker, e2e, replicas, rssMb } = results;
  if (ingress) {
    rows.push(['1a bare Express 5 JSON route, req/s', cell(ingress.bare.rps), '']);
    rows.push([
      '1a bare Express p50 / p99 latency, ms',
      `${cell(ingress.bare.p50Ms, 1)} / ${cell(ingress.bare.p99Ms, 1)}`,
      '',
    ]);
    rows.push(['1b ingress (signed, Redis), req/s', cell(ingress.ingress.rps), '']);
    rows.push([
      '1b ingress p50 / p99 latency, ms',
      `${cell(ingress.ingress.p50Ms, 1)} / ${cell(ingress.ingress.p99Ms, 1)}`,
      '',
    ]);
    rows.push([
      '**ingress_ratio** (1b / 1a)',
      `**${value(ingress.ingressRatio)}** (per run: ${ingress.ingressRatioPerRun.map((r) => value(r)).join(', ')})`,
      '≥ 0.90',
    ]);
    rows.push([
      '1c bare Express + one BullMQ job per request (one addBulk per turn), req/s',
      cell(ingress.bareBullmq.rps),
      '',
    ]);
    rows.push([
      '1b / 1c: the ingress against Express plus BullMQ alone',
      value(ingress.frameworkRatio),
      '',
    ]);
  }
  if (worker) {
    const series: [string, { eventsPerS: Summary }][] = [
      ['2a plain pg loop of the single-event ingest SQL, 8 at a time, events/s', worker.sqlLoop],
      ['2d group commit SQL alone (batches of 32, two at a time), events/s', worker.batchedSqlLoop],
      ['2b worker ingest of pre-enqueued events (delivery lane paused), events/s', worker.worker],
      [
        '2b′ the same before group commit (INGEST_BATCH_MAX=1, 8 jobs at a time), events/s',
        worker.workerUnbatched,
      ],
      [
        '2c bare BullMQ worker, no database (same jobs, one delivery add each), events/s',
        worker.bullmqNoop,
      ],
    ];
    for (const [label, { eventsPerS }] of series) rows.push([label, cell(eventsPerS), '']);
    rows.push([
      '**db_ratio** (2b / 2a)',
      `**${value(worker.dbRatio)}** (before group commit, 2b′ / 2a: ${value(worker.unbatchedDbRatio)})`,
      '≥ 0.80',
    ]);
    rows.push([
      '2b / bound of its SQL plus BullMQ, 1/(1/2d + 1/2c) = ' + value(worker.combinedBound, 0),
      value(worker.overheadRatio),
      '',
    ]);
  }
  if (e2e) {
    const rate = e2e.steady.runs[0]?.offeredRate ?? 0;
    const bound = e2e.steady.lowerBound ? '≥ ' : '';
    rows.push([
      `3 received→delivered p50 at ${rate}/s, ms`,
      `${bound}${cell(e2e.steady.p50Ms, 1)}`,
      '',
    ]);
    rows.push([
      `3 **received→delivered p99** at ${rate}/s, ms`,
      `${bound}${cell(e2e.steady.p99Ms, 1)}`,
      '≤ 250',
    ]);
    const delivered = e2e.steady.runs.map((run) => run.deliveredPerS);
    rows.push([`3 delivered events/s while ${rate}/s offered`, cell(summarize(delivered)), '']);
    rows.push([
      '3 maximum sustainable rate, events/s',
      `${e2e.maxRate.toppedOut ? '≥ ' : ''}${cell(e2e.maxRate.sustainableRate)}`,
      '',
    ]);
  }
  for (const run of replicas?.runs ?? []) {
    const bound = run.steady.latencyLowerBound ? '≥ ' : '';
    rows.push([
      `5 ${run.workers} worker process${run.workers === 1 ? '' : 'es'}: maximum sustainable rate, events/s; p99 at ${run.steady.offeredRate}/s; CPU cores at that rate`,
      `${run.toppedOut ? '≥ ' : ''}${run.sustainableRate ?? 'none'}; ${bound}${round(run.steady.receivedToDeliveredP99Ms, 1)} ms; ${cpuCores(run.cpuAtMax)}`,
      '',
    ]);
  }
  rows.push(['4 peak RSS ingress (VmHWM), MB', value(rssMb.ingress, 1), '≤ 150']);
  rows.push(['4 peak RSS worker (VmHWM), MB', value(rssMb.worker, 1), '≤ 250']);
  const header = '| measure | median (min–max, ±half-spread) | target |\n| --- | --- | --- |';
  return `${header}\n${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}`;
}
