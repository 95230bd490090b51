import type { FaultKind, FaultStep } from './profile';
import { sleep } from './random';

/** How to break one part of the system and how to mend it. */
export interface Fault {
  inject(): Promise<void>;
  heal(): Promise<void>;
}

export type FaultTargets = Readonly<Record<FaultKind, Fault>>;

export interface InjectedFault {
  readonly kind: FaultKind;
  /** From the start of the load to the moment it broke. */
  readonly atMs: number;
  /** From breaking it to having it back (for a worker: until the new one is ready). */
  readonly durationMs: number;
}

/**
 * Runs the schedule one fault at a time: each starts at its time (or once the previous one is
 * healed, if that took longer), so two faults never overlap and each outcome is attributable.
 */
export async function runFaults(
  schedule: readonly FaultStep[],
  targets: FaultTargets,
  loadStartedAt: number,
): Promise<InjectedFault[]> {
  const injected: InjectedFault[] = [];
  for (const step of schedule) {
    await sleep(loadStartedAt + step.atMs - performance.now());
    const brokenAt = performance.now();
    const target = targets[step.kind];
    await target.inject();
    await sleep(step.downMs);
    await target.heal();
    injected.push({
      kind: step.kind,
      atMs: Math.round(brokenAt - loadStartedAt),
      durationMs: Math.round(performance.now() - brokenAt),
    });
  }
  return injected;
}
