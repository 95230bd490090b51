import { readStarshipitFixture, REPO_ROOT, STARSHIPIT_FIXTURES } from '@tracksync/test-support';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  orderResponseSchema,
  shipmentsPageSchema,
  shippedOrdersPageSchema,
  trackResponseSchema,
} from './schemas';

const trackFixture = readStarshipitFixture('track-response.json') as Record<string, unknown>;
const shippedFixture = readStarshipitFixture('orders-shipped-response.json');

describe('reference fixtures', () => {
  it('are read from inside the repository', () => {
    expect(STARSHIPIT_FIXTURES.startsWith(REPO_ROOT)).toBe(true);
    expect(existsSync(`${STARSHIPIT_FIXTURES}/track-response.json`)).toBe(true);
  });
});

describe('trackResponseSchema', () => {
  it('reads the single-object fixture as a list of one, timestamps and statuses as sent', () => {
    const parsed = trackResponseSchema.parse(trackFixture);
    expect(parsed.success).toBe(true);
    expect(parsed.errors).toEqual([]);
    expect(parsed.results).toHaveLength(1);
    const [result] = parsed.results;
    expect(result).toMatchObject({
      order_number: 'SO-10045',
      tracking_number: 'TEST0000000000000001',
      tracking_status: 'Delivered',
      carrier_service: '7B05',
      shipment_date: '2026-06-10T12:03:42.1543701',
      last_updated_date: '2026-06-12T09:15:00',
    });
    expect(result?.tracking_events.map((event) => event.status)).toEqual([
      'Dispatched',
      'In Transit',
      'Attempted Delivery',
      'Delivered',
    ]);
  });

  it('reads the list form of results', () => {
    const results = [
      trackFixture.results,
      { tracking_number: 'X2', tracking_status: 'In Transit' },
    ];
    const parsed = trackResponseSchema.parse({ success: true, results });
    expect(parsed.results.map((result) => result.tracking_status)).toEqual([
      'Delivered',
      'In Transit',
    ]);
  });

  it('keeps fields it does not know', () => {
    const results = { tracking_number: 'X1', signed_by: 'J. Doe' };
    const parsed = trackResponseSchema.parse({ success: true, results });
    expect(parsed.results[0]).toMatchObject({ signed_by: 'J. Doe' });
  });

  it('accepts success: 1, an empty errors array, and nulls for missing text', () => {
    const parsed = trackResponseSchema.parse({
      success: 1,
      errors: [],
      results: { tracking_number: 'X1', carrier_name: null, tracking_events: null },
    });
    expect(parsed.success).toBe(true);
    expect(parsed.results[0]).toMatchObject({ carrier_name: null, tracking_events: [] });
  });

  it('reads success: false with its errors', () => {
    const parsed = trackResponseSchema.parse({
      success: false,
      errors: [{ message: 'Tracking not found', details: '' }],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.errors[0]?.message).toBe('Tracking not found');
    expect(parsed.results).toEqual([]);
  });

  it('accepts a numeric order number, as the webhook docs once showed', () => {
    const parsed = trackResponseSchema.parse({ success: true, results: { order_number: 10045 } });
    expect(parsed.results[0]?.order_number).toBe('10045');
  });
});

describe('shippedOrdersPageSchema', () => {
  it('reads the fixture page, keeping every row field', () => {
    const parsed = shippedOrdersPageSchema.parse(shippedFixture);
    expect(parsed.total_pages).toBe(1);
    expect(parsed.orders).toHaveLength(2);
    expect(parsed.orders[1]).toMatchObject({
      order_id: 712600002,
      order_number: 'SO-10046',
      reference: 'REF-10046',
      tracking_number: 'TEST1234567890',
      tracking_short_status: 'InTransit',
      shipped_date: '2026-06-10T03:12:08.901Z',
      order_date: '2026-06-10T01:44:19',
      manifest_sent: false,
      writeback_status: 'Success',
    });
  });

  it('reads a page with orders missing or empty as no rows', () => {
    expect(shippedOrdersPageSchema.parse({ success: true, total_pages: 0 }).orders).toEqual([]);
    expect(shippedOrdersPageSchema.parse({ success: true, orders: [] }).total_pages).toBeNull();
  });

  it('rejects a page whose orders is not a list', () => {
    expect(shippedOrdersPageSchema.safeParse({ success: true, orders: 'none' }).success).toBe(
      false,
    );
  });
});

describe('shipmentsPageSchema', () => {
  it('reads recently printed shipments with their several tracking numbers', () => {
    const parsed = shipmentsPageSchema.parse({
      orders: [
        {
          order_id: 712600001,
          order_number: 'SO-10045',
          date: '2026-06-10T02:03:42.154Z',
          carrier_name: 'Australia Post',
          carrier_service_code: '7B05',
          tracking_numbers: ['T1', 'T2'],
        },
        { order_id: '712600003', order_number: 'SO-10047', tracking_numbers: 'T3' },
      ],
      status: 'recently_printed',
      total_pages: 1,
      success: true,
    });
    expect(parsed.orders.map((row) => row.tracking_numbers)).toEqual([['T1', 'T2'], ['T3']]);
    expect(parsed.orders[1]?.order_id).toBe(712600003);
    expect(parsed.status).toBe('recently_printed');
  });
});

describe('orderResponseSchema', () => {
  const order = {
    order_id: 712600001,
    order_number: 'SO-10045',
    reference: '10045',
    status: 'Delivered',
    packages: [{ package_id: 891600001, tracking_number: 'TEST0000000000000001' }],
    events: [{ time: '2026-06-12T09:15:00', category: 'Delivered', method: 'Status Update' }],
    destination: { country: 'Australia' },
  };

  it('reads one order with packages, events and fields it does not model', () => {
    const parsed = orderResponseSchema.parse({ order, success: true });
    expect(parsed.order).toMatchObject({
      order_id: 712600001,
      reference: '10045',
      destination: { country: 'Australia' },
    });
    expect(parsed.order.packages[0]?.tracking_number).toBe('TEST0000000000000001');
    expect(parsed.order.events[0]?.category).toBe('Delivered');
  });

  it('takes the first order when it comes as a list', () => {
    const parsed = orderResponseSchema.parse({ order: [order], success: true });
    expect(parsed.order.order_number).toBe('SO-10045');
  });

  it('rejects a response without an order', () => {
    expect(orderResponseSchema.safeParse({ success: true }).success).toBe(false);
    expect(orderResponseSchema.safeParse({ order: [], success: true }).success).toBe(false);
  });
});
