import { describe, expect, it } from 'vitest';
import { deliveredUpdate, sparseUpdate } from '../../test/fixtures/shipment-update';
import { toWireBody } from './transform';

const now = new Date('2026-03-04T09:36:01.250Z');

describe('toWireBody', () => {
  it('builds the §6 body with snake_case data and the time of sending', () => {
    expect(toWireBody(deliveredUpdate, now)).toStrictEqual({
      type: 'shipment.tracking_updated',
      timestamp: '2026-03-04T09:36:01.250Z',
      data: {
        order_number: 'SO-10042',
        source_order_id: 'erp-778812',
        tracking_number: 'TRK123456789NZ',
        carrier_name: 'NZ Post',
        carrier_service: 'CPOLTPA5',
        tracking_status: 'Delivered',
        shipment_date: '2026-03-02T01:15:00.000Z',
        last_updated_date: '2026-03-04T09:35:00.000Z',
        order_reference: 'WEB-5531',
      },
    });
  });

  it('sends unknown values as explicit nulls rather than leaving keys out', () => {
    const { data } = toWireBody(sparseUpdate, now);
    expect(data).toMatchObject({
      source_order_id: null,
      carrier_name: null,
      carrier_service: null,
      shipment_date: null,
      order_reference: null,
    });
    expect(JSON.parse(JSON.stringify(data))).toHaveProperty('source_order_id', null);
  });

  it('keeps the delivery id out of the body: it travels as webhook-id', () => {
    expect(JSON.stringify(toWireBody(deliveredUpdate, now))).not.toContain('dlv_');
  });

  it('passes an unknown tracking status through as sent', () => {
    const update = { ...deliveredUpdate, trackingStatus: 'HeldAtCustoms' };
    expect(toWireBody(update, now).data.tracking_status).toBe('HeldAtCustoms');
  });
});
