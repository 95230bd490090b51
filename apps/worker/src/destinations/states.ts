import { countDeliveriesByDestination, type Database } from '@tracksync/db';
import type { Logger } from 'pino';
import type { DestinationControl } from './control';
import type { DestinationSet, DestinationSummary } from './set';

/** A destination as operators see it: its shape, its switch and its backlog. Never a secret. */
export interface DestinationState {
  readonly name: string;
  readonly summary: DestinationSummary;
  readonly rateLimitPerSec: number | null;
  /** When an operator paused it (ISO instant), null while it delivers. */
  readonly pausedAt: string | null;
  readonly pending: number;
  readonly failed: number;
}

/** Every configured destination's state, in configuration order (the ops API and console). */
export async function readDestinationStates(deps: {
  readonly db: Database;
  readonly destinations: DestinationSet;
  readonly control: DestinationControl;
}): Promise<DestinationState[]> {
  const [counts, paused] = await Promise.all([
    countDeliveriesByDestination(deps.db),
    deps.control.paused(),
  ]);
  const byName = new Map(counts.map((row) => [row.destination, row]));
  return deps.destinations.all.map((destination) => ({
    name: destination.name,
    summary: destination.summary,
    rateLimitPerSec: destination.rateLimitPerSec,
    pausedAt: paused[destination.name] ?? null,
    pending: byName.get(destination.name)?.pending ?? 0,
    failed: byName.get(destination.name)?.failed ?? 0,
  }));
}

/** The actions (the last part of their route) that pause and resume a destination. */
export const SWITCHES = [
  ['pause', 'paused'],
  ['resume', 'resumed'],
] as const;

/** Pauses or resumes a destination for every replica, and says so in the log. */
export async function switchDestination(
  deps: { readonly control: DestinationControl; readonly log: Logger },
  name: string,
  to: 'paused' | 'resumed',
): Promise<void> {
  if (to === 'paused') {
    await deps.control.pause(name);
    deps.log.warn({ destination: name }, 'destination paused by an operator');
  } else {
    await deps.control.resume(name);
    deps.log.info({ destination: name }, 'destination resumed by an operator');
  }
}
