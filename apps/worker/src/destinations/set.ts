import type { SourceAdapter } from '@tracksync/adapters';
import type { OutboxPlanner } from '@tracksync/db';
import type { ShipmentState } from '@tracksync/domain';

/** What the ops API shows of a destination: its shape, never a secret or a full URL. */
export interface DestinationSummary {
  readonly adapter: string;
  /** The origin requests go to (scheme, host, port), or null when each request names its own. */
  readonly target: string | null;
  readonly transform: boolean;
  readonly signed: boolean;
  readonly auth: string | null;
  readonly filter: Record<string, unknown> | null;
}

export interface Destination {
  readonly name: string;
  readonly adapter: SourceAdapter;
  /** The destination's filter: false writes the change as `skipped` for it. */
  readonly accepts: (state: ShipmentState) => boolean;
  /** Requests per second across every replica; null: no cap. */
  readonly rateLimitPerSec: number | null;
  readonly summary: DestinationSummary;
}

export interface DestinationSet {
  readonly all: readonly Destination[];
  readonly names: readonly string[];
  get(name: string): Destination | undefined;
  /** One outbox row per destination for each change; the ingest statements write them. */
  readonly outbox: OutboxPlanner;
}

export const DEFAULT_DESTINATION = 'default';

export function destinationSetOf(all: readonly Destination[]): DestinationSet {
  const byName = new Map(all.map((destination) => [destination.name, destination]));
  return {
    all,
    names: all.map((destination) => destination.name),
    get: (name) => byName.get(name),
    outbox: (state) =>
      all.map((destination) => ({
        destination: destination.name,
        deliver: destination.accepts(state),
      })),
  };
}

/** Today's single adapter from the environment, as the destination `default`. */
export function singleDestination(adapter: SourceAdapter, target: string | null): DestinationSet {
  return destinationSetOf([
    {
      name: DEFAULT_DESTINATION,
      adapter,
      accepts: () => true,
      rateLimitPerSec: null,
      summary: {
        adapter: adapter.name,
        target,
        transform: false,
        signed: adapter.name === 'http',
        auth: null,
        filter: null,
      },
    },
  ]);
}

/** Scheme, host and port only: paths and queries may carry tokens, userinfo certainly does. */
export function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
