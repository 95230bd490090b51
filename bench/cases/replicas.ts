import { randomBytes } from 'node:crypto';
import type { BenchConfig } from '../lib/config';
import type { CpuUse } from '../lib/cpu';
import type { Scratch } from '../lib/resources';
import {
  maxRateDefinition,
  startE2eStack,
  steadyThenMaxRate,
  warmUp,
  type MaxRateStep,
  type WindowResult,
} from './e2e';

/**
 * Case 5: the whole path with 1, 2, 3… worker processes sharing the queues, as replicas do in
 * production: for each count, one steady window at the e2e rate and one maximum-rate search.
 * On a machine of few cores the workers compete with the ingress, Redis and Postgres for
 * them, so the CPU each used is kept beside the rates: it says where the bottleneck went.
 */
export interface ReplicaResult {
  readonly workers: number;
  readonly steady: WindowResult;
  readonly sustainableRate: number | null;
  /** Every step of the search held: the rate is only a lower bound. */
  readonly toppedOut: boolean;
  readonly steps: MaxRateStep[];
  /** CPU while offering the highest sustainable step (or the steady window when none held). */
  readonly cpuAtMax: CpuUse;
}

export interface ReplicasCaseResult {
  readonly runs: ReplicaResult[];
  readonly definition: string;
}

export async function runReplicasCase(
  config: BenchConfig,
  scratch: Scratch,
): Promise<ReplicasCaseResult> {
  const runs: ReplicaResult[] = [];
  for (const workers of config.replicaCounts) {
    const running = await startE2eStack(config, scratch, workers);
    try {
      const tag = `W${workers}-${randomBytes(3).toString('hex')}`;
      await warmUp(config, scratch, running, `${tag}-warm`);
      const { steady, search } = await steadyThenMaxRate(
        config,
        scratch,
        running,
        tag,
        config.replicaSteadyS,
      );
      const best = search.steps
        .filter((step) => step.sustainable)
        .sort((a, b) => b.offeredRate - a.offeredRate)[0];
      runs.push({
        workers,
        steady,
        sustainableRate: search.sustainableRate,
        toppedOut: search.toppedOut,
        steps: search.steps,
        cpuAtMax: (best ?? steady).cpu,
      });
    } finally {
      await running.stop();
    }
  }
  return { runs, definition: maxRateDefinition(config) };
}
