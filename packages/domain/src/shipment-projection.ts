import { isFinalStatus, reopensFinalState, statusRank } from './statuses';
import { compareInstants } from './timestamps';
import type { TrackingEvent } from './tracking-event';

/** A shipment's current state, keyed by tracking number. */
export interface ShipmentState {
  readonly trackingNumber: string;
  readonly orderNumber: string;
  readonly orderReference: string | null;
  readonly carrierName: string | null;
  readonly carrierService: string | null;
  readonly shipmentDate: string | null;
  readonly trackingStatus: string;
  readonly lastUpdatedDate: string;
  readonly lastEventId: string;
}

export interface StoredEvent {
  readonly eventId: string;
  readonly event: TrackingEvent;
}

/**
 * What one event did to its shipment:
 * - `applied`: the shipment moved to a new state.
 * - `merged`: the state stayed, but the event filled fields the shipment lacked.
 * - `unchanged`: the event restated what the shipment already says.
 * - `stale`: the event is older, loses a tie, or arrived after a final state; history only.
 */
export type ProjectionResult = 'applied' | 'merged' | 'unchanged' | 'stale';

/**
 * The shipment's state from its whole history. Events are folded in time order (ties broken
 * by rank, then id), so the result depends only on which events exist, never on the order in
 * which they arrived: a late scan lands exactly where it would have if it had come on time.
 */
export function projectHistory(history: readonly StoredEvent[]): ShipmentState | null {
  let state: ShipmentState | null = null;
  for (const stored of [...history].sort(compareStoredEvents)) {
    state = applyInOrder(state, toState(stored));
  }
  return state;
}

/** Classifies the effect of `event` by comparing the state before and after it was added. */
export function classifyProjection(
  before: ShipmentState | null,
  after: ShipmentState,
  event: TrackingEvent,
): ProjectionResult {
  if (
    !before ||
    before.trackingStatus !== after.trackingStatus ||
    before.lastUpdatedDate !== after.lastUpdatedDate
  ) {
    return 'applied';
  }
  if (MERGED_FIELDS.some((field) => before[field] !== after[field])) return 'merged';
  const restates =
    before.trackingStatus === event.trackingStatus &&
    compareInstants(before.lastUpdatedDate, event.lastUpdatedDate) === 0;
  return restates ? 'unchanged' : 'stale';
}

function compareStoredEvents(a: StoredEvent, b: StoredEvent): number {
  return (
    compareInstants(a.event.lastUpdatedDate, b.event.lastUpdatedDate) ||
    statusRank(a.event.trackingStatus) - statusRank(b.event.trackingStatus) ||
    (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)
  );
}

function toState({ eventId, event }: StoredEvent): ShipmentState {
  return {
    trackingNumber: event.trackingNumber,
    orderNumber: event.orderNumber,
    orderReference: event.orderReference,
    carrierName: event.carrierName,
    carrierService: event.carrierService,
    shipmentDate: event.shipmentDate,
    trackingStatus: event.trackingStatus,
    lastUpdatedDate: event.lastUpdatedDate,
    lastEventId: eventId,
  };
}

/** One step of the fold; `next` never sorts before `current`'s event. */
function applyInOrder(current: ShipmentState | null, next: ShipmentState): ShipmentState {
  if (!current) return next;
  const staysFinal =
    isFinalStatus(current.trackingStatus) && !reopensFinalState(next.trackingStatus);
  return staysFinal ? mergeFields(current, next) : mergeFields(next, current);
}

const MERGED_FIELDS = [
  'orderReference',
  'carrierName',
  'carrierService',
  'shipmentDate',
] as const satisfies readonly (keyof ShipmentState)[];

/** Keeps `primary` and fills its blank fields from `secondary`: sparse never blanks rich. */
function mergeFields(primary: ShipmentState, secondary: ShipmentState): ShipmentState {
  const filled: Partial<Record<(typeof MERGED_FIELDS)[number], string>> = {};
  for (const field of MERGED_FIELDS) {
    const value = secondary[field];
    if (primary[field] === null && value !== null) filled[field] = value;
  }
  return Object.keys(filled).length === 0 ? primary : { ...primary, ...filled };
}
