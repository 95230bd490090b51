/**
 * Starshipit's tracking statuses (the 16 of the 2026 webhook guide) and the rules that keep a
 * shipment's projected state from moving backwards.
 */
export const KNOWN_STATUSES = [
  'Printed',
  'Manifested',
  'Dispatched',
  'DroppedOff',
  'InTransit',
  'OutForDelivery',
  'AttemptedDelivery',
  'AwaitingCollection',
  'PickupInStore',
  'Exception',
  'Delivered',
  'Cancelled',
  'ReturnPickupPrinted',
  'ReturnDropoffPrinted',
  'ReturnLink',
  'ReturnLabel',
] as const;

export type KnownStatus = (typeof KNOWN_STATUSES)[number];

/**
 * Rank decides only ties: an event is applied when it is newer, or equally new with a higher
 * rank. The three last-mile holds share a rank because a carrier moves between them in any
 * order. Exception sits above them so that, at the same instant, the problem report wins.
 * Return statuses describe a new flow that starts after the outbound parcel's story ends.
 */
const STATUS_RANKS: Readonly<Record<KnownStatus, number>> = {
  Printed: 10,
  Manifested: 15,
  Dispatched: 20,
  DroppedOff: 20,
  InTransit: 30,
  OutForDelivery: 40,
  AttemptedDelivery: 50,
  AwaitingCollection: 50,
  PickupInStore: 50,
  Exception: 55,
  Delivered: 60,
  Cancelled: 60,
  ReturnPickupPrinted: 70,
  ReturnDropoffPrinted: 70,
  ReturnLink: 70,
  ReturnLabel: 70,
};

/** Statuses Starshipit adds later rank lowest: they never win a tie against a known one. */
export const UNKNOWN_STATUS_RANK = 0;

export const FINAL_STATUSES: readonly KnownStatus[] = ['Delivered', 'Cancelled'];
const finalStatusSet: ReadonlySet<string> = new Set(FINAL_STATUSES);

/** Only these may move a shipment out of a final state: a problem report or a return flow. */
const REOPENING_STATUSES: ReadonlySet<string> = new Set<KnownStatus>([
  'Exception',
  'ReturnPickupPrinted',
  'ReturnDropoffPrinted',
  'ReturnLink',
  'ReturnLabel',
]);

const canonicalByLooseName = new Map<string, KnownStatus>(
  KNOWN_STATUSES.map((status) => [looseName(status), status]),
);

function looseName(status: string): string {
  return status.replace(/[\s_-]+/g, '').toLowerCase();
}

/**
 * Maps spelling variants (`In Transit`, `intransit`) onto the guide's names so that ranks and
 * dedup keys agree whatever endpoint reported the status. Unknown values come back as sent.
 */
export function canonicalStatus(status: string): string {
  return canonicalByLooseName.get(looseName(status)) ?? status.trim();
}

export function isKnownStatus(status: string): status is KnownStatus {
  return (KNOWN_STATUSES as readonly string[]).includes(status);
}

export function statusRank(status: string): number {
  return isKnownStatus(status) ? STATUS_RANKS[status] : UNKNOWN_STATUS_RANK;
}

export function isFinalStatus(status: string): boolean {
  return finalStatusSet.has(status);
}

export function reopensFinalState(status: string): boolean {
  return REOPENING_STATUSES.has(status);
}
