import type { ShipmentState } from '@tracksync/domain';
import { describe, expect, it } from 'vitest';
import { compileFilter } from './filter';

const state = (fields: Partial<ShipmentState> = {}): ShipmentState => ({
  trackingNumber: 'TRK1',
  orderNumber: 'WEB-1001',
  orderReference: null,
  carrierName: 'NZ Post',
  carrierService: 'CPOLTPA5',
  shipmentDate: null,
  trackingStatus: 'Dispatched',
  lastUpdatedDate: '2026-06-18T09:35:00Z',
  lastEventId: 'e1',
  ...fields,
});

describe('destination filters', () => {
  it('takes every change without a filter', () => {
    expect(compileFilter(undefined)(state({ trackingStatus: 'Whatever' }))).toBe(true);
  });

  it('takes only the statuses named, exactly as Starshipit sends them', () => {
    const accepts = compileFilter({ statuses: ['Dispatched', 'Delivered'] });
    expect(accepts(state())).toBe(true);
    expect(accepts(state({ trackingStatus: 'Delivered' }))).toBe(true);
    expect(accepts(state({ trackingStatus: 'InTransit' }))).toBe(false);
    expect(accepts(state({ trackingStatus: 'delivered' }))).toBe(false);
  });

  it('compares carriers without regard to case, and a missing carrier never matches', () => {
    const accepts = compileFilter({ carriers: ['nz post'] });
    expect(accepts(state())).toBe(true);
    expect(accepts(state({ carrierName: 'Australia Post' }))).toBe(false);
    expect(accepts(state({ carrierName: null }))).toBe(false);
  });

  it('matches order numbers against the pattern, and needs every condition given', () => {
    const accepts = compileFilter({ order_number: '^WEB-', statuses: ['Dispatched'] });
    expect(accepts(state())).toBe(true);
    expect(accepts(state({ orderNumber: 'POS-1' }))).toBe(false);
    expect(accepts(state({ trackingStatus: 'Printed' }))).toBe(false);
  });
});
