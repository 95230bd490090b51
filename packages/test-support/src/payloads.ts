/** The example payload of Starshipit's "Use webhooks and tracking updates" guide, verbatim. */
export const STARSHIPIT_GUIDE_EXAMPLE = {
  order_number: 'API-TEST-1001',
  carrier_name: 'Australia Post',
  carrier_service: '7B05',
  shipment_date: '2026-06-18T09:30:00Z',
  tracking_number: 'TESTTRACK123',
  tracking_status: 'Dispatched',
  last_updated_date: '2026-06-18T09:35:00Z',
} as const;
