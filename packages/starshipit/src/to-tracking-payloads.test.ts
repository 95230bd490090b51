import { parseTrackingPayload } from '@tracksync/domain';
import { readStarshipitFixture } from '@tracksync/test-support';
import { describe, expect, it } from 'vitest';
import {
  shipmentsPageSchema,
  shippedOrdersPageSchema,
  shippedOrderSchema,
  trackResponseSchema,
  trackResultSchema,
} from './schemas';
import {
  printedShipmentToPayloads,
  shippedOrdersToPayloads,
  shippedOrderToPayload,
  trackResultToPayload,
} from './to-tracking-payloads';

const shippedRows = shippedOrdersPageSchema.parse(
  readStarshipitFixture('orders-shipped-response.json'),
).orders;
const [trackResult] = trackResponseSchema.parse(
  readStarshipitFixture('track-response.json'),
).results;

describe('shippedOrderToPayload', () => {
  it('maps the fixture rows, dating the status by shipped_date', () => {
    expect(shippedOrdersToPayloads(shippedRows)).toEqual([
      {
        order_number: 'SO-10045',
        tracking_number: 'TEST0000000000000001',
        tracking_status: 'Delivered',
        last_updated_date: '2026-06-10T02:03:42.154Z',
        carrier_name: 'Australia Post',
        carrier_service: '7B05',
        shipment_date: '2026-06-10T02:03:42.154Z',
        order_reference: '10045',
        starshipit_order_id: 712600001,
      },
      {
        order_number: 'SO-10046',
        tracking_number: 'TEST1234567890',
        tracking_status: 'InTransit',
        last_updated_date: '2026-06-10T03:12:08.901Z',
        carrier_name: 'DHL Express',
        carrier_service: 'P1',
        shipment_date: '2026-06-10T03:12:08.901Z',
        order_reference: 'REF-10046',
        starshipit_order_id: 712600002,
      },
    ]);
  });

  it('gives payloads the domain accepts, extra fields kept', () => {
    const [payload] = shippedOrdersToPayloads(shippedRows);
    const parsed = parseTrackingPayload(payload, 'Australia/Sydney');
    expect(parsed).toMatchObject({
      ok: true,
      event: {
        trackingStatus: 'Delivered',
        lastUpdatedDate: '2026-06-10T02:03:42.154Z',
        orderReference: '10045',
      },
    });
  });

  it('falls back to order_date, read in the account zone, when shipped_date is missing', () => {
    const row = shippedOrderSchema.parse({
      ...shippedRows[1],
      shipped_date: null,
      tracking_short_status: 'In Transit',
    });
    const payload = shippedOrderToPayload(row);
    expect(payload).toMatchObject({
      last_updated_date: '2026-06-10T01:44:19',
      shipment_date: null,
    });
    expect(parseTrackingPayload(payload, 'Pacific/Auckland')).toMatchObject({
      ok: true,
      event: { trackingStatus: 'InTransit', lastUpdatedDate: '2026-06-09T13:44:19Z' },
    });
  });

  it.each([
    ['no tracking number', { tracking_number: '' }],
    ['no status', { tracking_short_status: null }],
    ['no date at all', { shipped_date: null, order_date: undefined }],
  ])('skips a row with %s', (_case, change) => {
    const row = shippedOrderSchema.parse({ ...shippedRows[0], ...change });
    expect(shippedOrderToPayload(row)).toBeNull();
    expect(shippedOrdersToPayloads([row])).toEqual([]);
  });
});

describe('trackResultToPayload', () => {
  it('maps the fixture result, adding what the caller knows', () => {
    expect(
      trackResultToPayload(trackResult!, { orderReference: '10045', starshipitOrderId: 712600001 }),
    ).toEqual({
      order_number: 'SO-10045',
      tracking_number: 'TEST0000000000000001',
      tracking_status: 'Delivered',
      last_updated_date: '2026-06-12T09:15:00',
      carrier_name: 'Australia Post',
      carrier_service: '7B05',
      shipment_date: '2026-06-10T12:03:42.1543701',
      order_reference: '10045',
      starshipit_order_id: 712600001,
    });
  });

  it('leaves spaced statuses and zone-less times to the domain, which reads them', () => {
    const result = trackResultSchema.parse({
      ...trackResult,
      tracking_status: 'Attempted Delivery',
      carrier_service: null,
    });
    const payload = trackResultToPayload(result);
    expect(payload).toMatchObject({ order_reference: null, carrier_service: '7B05' });
    expect(parseTrackingPayload(payload, 'Australia/Sydney')).toMatchObject({
      ok: true,
      event: {
        trackingStatus: 'AttemptedDelivery',
        statusKnown: true,
        lastUpdatedDate: '2026-06-11T23:15:00Z',
        shipmentDate: '2026-06-10T02:03:42.1543701Z',
      },
    });
  });

  it.each(['tracking_number', 'tracking_status', 'last_updated_date'])(
    'skips a result without %s',
    (field) => {
      const result = trackResultSchema.parse({ ...trackResult, [field]: null });
      expect(trackResultToPayload(result)).toBeNull();
    },
  );
});

describe('printedShipmentToPayloads', () => {
  it('gives one Printed event per parcel, dated when printed', () => {
    const [row] = shipmentsPageSchema.parse({
      success: true,
      total_pages: 1,
      orders: [
        {
          order_id: 712600001,
          order_number: 'SO-10045',
          date: '2026-06-10T02:03:42.154Z',
          carrier_name: 'Australia Post',
          carrier_service_code: '7B05',
          tracking_numbers: ['T1', ' ', 'T2'],
        },
      ],
    }).orders;
    const payloads = printedShipmentToPayloads(row!);
    expect(payloads.map((payload) => [payload.tracking_number, payload.tracking_status])).toEqual([
      ['T1', 'Printed'],
      ['T2', 'Printed'],
    ]);
    expect(payloads[0]).toMatchObject({
      last_updated_date: '2026-06-10T02:03:42.154Z',
      starshipit_order_id: 712600001,
    });
    expect(parseTrackingPayload(payloads[1], 'UTC').ok).toBe(true);
  });
});
