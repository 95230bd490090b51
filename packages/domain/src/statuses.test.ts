import { describe, expect, it } from 'vitest';
import {
  KNOWN_STATUSES,
  UNKNOWN_STATUS_RANK,
  canonicalStatus,
  isFinalStatus,
  isKnownStatus,
  reopensFinalState,
  statusRank,
} from './statuses';

/** The 16 statuses of Starshipit's 2026 webhook guide, in the guide's order. */
const GUIDE_STATUSES = [
  'Printed',
  'Dispatched',
  'InTransit',
  'OutForDelivery',
  'Delivered',
  'PickupInStore',
  'AttemptedDelivery',
  'Exception',
  'AwaitingCollection',
  'Cancelled',
  'Manifested',
  'ReturnPickupPrinted',
  'ReturnDropoffPrinted',
  'DroppedOff',
  'ReturnLink',
  'ReturnLabel',
];

const LAST_MILE_HOLDS = ['AttemptedDelivery', 'AwaitingCollection', 'PickupInStore'];
const RETURN_STATUSES = [
  'ReturnPickupPrinted',
  'ReturnDropoffPrinted',
  'ReturnLink',
  'ReturnLabel',
];

describe('known statuses', () => {
  it('are exactly the 16 statuses of the webhook guide', () => {
    expect([...KNOWN_STATUSES].sort()).toEqual([...GUIDE_STATUSES].sort());
    expect(new Set(KNOWN_STATUSES).size).toBe(16);
  });

  it.each(GUIDE_STATUSES)('recognises %s as known', (status) => {
    expect(isKnownStatus(status)).toBe(true);
  });

  it('does not recognise values outside the guide, nor non-canonical spellings', () => {
    expect(isKnownStatus('PickedUp')).toBe(false);
    expect(isKnownStatus('In Transit')).toBe(false);
    expect(isKnownStatus('delivered')).toBe(false);
    expect(isKnownStatus('')).toBe(false);
  });
});

describe('canonicalStatus', () => {
  it.each([
    ['In Transit', 'InTransit'],
    ['intransit', 'InTransit'],
    ['INTRANSIT', 'InTransit'],
    ['in_transit', 'InTransit'],
    ['out-for-delivery', 'OutForDelivery'],
    ['Attempted Delivery', 'AttemptedDelivery'],
    ['  Delivered  ', 'Delivered'],
    ['Pickup In Store', 'PickupInStore'],
    ['return label', 'ReturnLabel'],
  ])('maps the variant %j onto the guide spelling %s', (variant, canonical) => {
    expect(canonicalStatus(variant)).toBe(canonical);
  });

  it.each(GUIDE_STATUSES)('leaves the guide spelling %s as it is', (status) => {
    expect(canonicalStatus(status)).toBe(status);
  });

  it('returns an unknown status as sent, only trimmed', () => {
    expect(canonicalStatus('PickedUp')).toBe('PickedUp');
    expect(canonicalStatus('  Picked Up ')).toBe('Picked Up');
    expect(canonicalStatus('ReturnedToSender')).toBe('ReturnedToSender');
  });
});

describe('statusRank', () => {
  it('orders the outbound journey Printed < Dispatched < InTransit < OutForDelivery < holds < Delivered', () => {
    const journey = [
      'Printed',
      'Dispatched',
      'InTransit',
      'OutForDelivery',
      'AttemptedDelivery',
      'Delivered',
    ];
    const ranks = journey.map(statusRank);
    for (let i = 1; i < ranks.length; i++) {
      expect(ranks[i]).toBeGreaterThan(ranks[i - 1]!);
    }
  });

  it('places each last-mile hold above OutForDelivery and below Delivered', () => {
    for (const hold of LAST_MILE_HOLDS) {
      expect(statusRank(hold)).toBeGreaterThan(statusRank('OutForDelivery'));
      expect(statusRank(hold)).toBeLessThan(statusRank('Delivered'));
    }
  });

  it('gives the three last-mile holds the same rank', () => {
    expect(new Set(LAST_MILE_HOLDS.map(statusRank)).size).toBe(1);
  });

  it('gives the two final statuses the same rank', () => {
    expect(statusRank('Cancelled')).toBe(statusRank('Delivered'));
  });

  it('places Manifested between Printed and InTransit, and DroppedOff with Dispatched', () => {
    expect(statusRank('Manifested')).toBeGreaterThan(statusRank('Printed'));
    expect(statusRank('Manifested')).toBeLessThan(statusRank('InTransit'));
    expect(statusRank('DroppedOff')).toBe(statusRank('Dispatched'));
  });

  it('ranks Exception above the holds, so a problem report wins a tie with them', () => {
    for (const hold of LAST_MILE_HOLDS) {
      expect(statusRank('Exception')).toBeGreaterThan(statusRank(hold));
    }
  });

  it('ranks the return statuses above the final statuses', () => {
    for (const status of RETURN_STATUSES) {
      expect(statusRank(status)).toBeGreaterThan(statusRank('Delivered'));
    }
  });

  it('ranks every known status above an unknown one', () => {
    for (const status of KNOWN_STATUSES) {
      expect(statusRank(status)).toBeGreaterThan(UNKNOWN_STATUS_RANK);
    }
  });

  it('gives an unknown status rank 0', () => {
    expect(UNKNOWN_STATUS_RANK).toBe(0);
    expect(statusRank('PickedUp')).toBe(0);
    expect(statusRank('In Transit')).toBe(0);
  });
});

describe('final and reopening statuses', () => {
  it('treats only Delivered and Cancelled as final', () => {
    const finals = KNOWN_STATUSES.filter(isFinalStatus);
    expect([...finals].sort()).toEqual(['Cancelled', 'Delivered']);
    expect(isFinalStatus('PickedUp')).toBe(false);
  });

  it('lets only Exception and the return statuses reopen a final state', () => {
    const reopening = KNOWN_STATUSES.filter(reopensFinalState);
    expect([...reopening].sort()).toEqual(['Exception', ...RETURN_STATUSES].sort());
  });

  it('does not let an unknown status or a forward status reopen a final state', () => {
    expect(reopensFinalState('PickedUp')).toBe(false);
    expect(reopensFinalState('InTransit')).toBe(false);
    expect(reopensFinalState('Delivered')).toBe(false);
  });
});
