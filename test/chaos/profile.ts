/** What the chaos suite breaks, one at a time, while webhooks keep arriving. */
export const FAULT_KINDS = ['redis', 'worker', 'postgres', 'sink'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultStep {
  readonly kind: FaultKind;
  /** When to break it, from the start of the load. */
  readonly atMs: number;
  /** How long it stays broken before it is healed (a worker's restart adds its start-up). */
  readonly downMs: number;
}

export interface ChaosProfile {
  readonly name: 'default' | 'long';
  readonly shipments: number;
  /** Posts per second across all shipments; retries and repeats share this budget. */
  readonly rate: number;
  /** Share of acknowledged events posted a second time, as a sender that repeats itself. */
  readonly duplicateRatio: number;
  readonly workerProcesses: number;
  /**
   * 1: the source system alone (destination `default`). 2: also a destination `failing` that
   * answers 503 throughout; `default` must still get everything, `failing` keep its outbox.
   */
  readonly destinations: 1 | 2;
  /** Each round breaks Redis, a worker, Postgres and the sink, in that order. */
  readonly rounds: number;
  readonly downMs: Readonly<Record<FaultKind, number>>;
  /** How long everything may take to settle once the load and the faults are over. */
  readonly settleTimeoutMs: number;
  readonly testTimeoutMs: number;
}

/** Printed → Delivered: each shipment's events, in the order Starshipit sends them. */
export const JOURNEY = [
  'Printed',
  'Dispatched',
  'InTransit',
  'OutForDelivery',
  'Delivered',
] as const;

const PROFILES: Readonly<Record<ChaosProfile['name'], ChaosProfile>> = {
  // Part of `npm test`: about 20 s of load and one round, well inside two minutes in all.
  default: {
    name: 'default',
    shipments: 60,
    rate: 20,
    duplicateRatio: 0.1,
    workerProcesses: 1,
    destinations: 1,
    rounds: 1,
    // Redis away longer than WORKER_LOCK_MS, so locks expire and stalled jobs are re-run.
    downMs: { redis: 2_500, worker: 0, postgres: 4_000, sink: 2_500 },
    settleTimeoutMs: 60_000,
    testTimeoutMs: 110_000,
  },
  // `npm run test:chaos`: three workers sharing the load, three rounds over about two minutes.
  long: {
    name: 'long',
    shipments: 800,
    rate: 40,
    duplicateRatio: 0.1,
    workerProcesses: 3,
    destinations: 1,
    rounds: 3,
    downMs: { redis: 4_000, worker: 0, postgres: 5_000, sink: 4_000 },
    settleTimeoutMs: 180_000,
    testTimeoutMs: 600_000,
  },
};

/**
 * The named profile; `workers` (CHAOS_WORKERS) and `destinations` (CHAOS_DESTINATIONS), when
 * given, replace its worker count and its number of destinations.
 */
export function chaosProfile(
  name = 'default',
  workers?: string,
  destinations?: string,
): ChaosProfile {
  if (name !== 'default' && name !== 'long') {
    throw new Error(`CHAOS_PROFILE must be default or long, not ${name}`);
  }
  if (destinations !== undefined && destinations !== '1' && destinations !== '2') {
    throw new Error(`CHAOS_DESTINATIONS must be 1 or 2, not ${destinations}`);
  }
  const profile =
    destinations === '2' ? { ...PROFILES[name], destinations: 2 as const } : PROFILES[name];
  if (workers === undefined) return profile;
  const workerProcesses = Number(workers);
  if (!Number.isInteger(workerProcesses) || workerProcesses < 1 || workerProcesses > 8) {
    throw new Error(`CHAOS_WORKERS must be a whole number from 1 to 8, not ${workers}`);
  }
  return { ...profile, workerProcesses };
}

/** How long the load takes with nothing broken: every post at the profile's rate. */
export function plannedLoadMs(profile: ChaosProfile): number {
  const posts = profile.shipments * JOURNEY.length * (1 + profile.duplicateRatio);
  return (posts / profile.rate) * 1000;
}

/** The faults of every round, spread evenly over the planned load so each hits it mid-way. */
export function faultSchedule(profile: ChaosProfile): FaultStep[] {
  const kinds = Array.from({ length: profile.rounds }, () => FAULT_KINDS).flat();
  const gapMs = plannedLoadMs(profile) / (kinds.length + 1);
  return kinds.map((kind, index) => ({
    kind,
    atMs: Math.round(gapMs * (index + 1)),
    downMs: profile.downMs[kind],
  }));
}
