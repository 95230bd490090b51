import { readStarshipitFixture, REPO_ROOT, STARSHIPIT_FIXTURES } from '@tracksync/test-support';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PayloadIssue } from './payload-issue';
import { KNOWN_STATUSES } from './statuses';
import {
  parseTrackingPayload,
  trackingEventSchema,
  type ParseResult,
  type TrackingEvent,
} from './tracking-event';

const SYDNEY = 'Australia/Sydney';

function fixture(name: string): Record<string, unknown> {
  return readStarshipitFixture(name) as Record<string, unknown>;
}

/** The example payload of Starshipit's webhook guide. */
const GUIDE_EXAMPLE = {
  order_number: 'API-TEST-1001',
  carrier_name: 'Australia Post',
  carrier_service: '7B05',
  shipment_date: '2026-06-18T09:30:00Z',
  tracking_number: 'TESTTRACK123',
  tracking_status: 'Dispatched',
  last_updated_date: '2026-06-18T09:35:00Z',
};

function accepted(input: unknown, timeZone = SYDNEY): TrackingEvent {
  const result = parseTrackingPayload(input, timeZone);
  if (!result.ok)
    throw new Error(`expected the payload to parse: ${JSON.stringify(result.issues)}`);
  return result.event;
}

function rejected(input: unknown, timeZone = SYDNEY): readonly PayloadIssue[] {
  const result: ParseResult = parseTrackingPayload(input, timeZone);
  if (result.ok) throw new Error(`expected the payload to be rejected: ${JSON.stringify(result)}`);
  return result.issues;
}

function paths(issues: readonly PayloadIssue[]): string[] {
  return issues.map((issue) => issue.path);
}

describe('parseTrackingPayload: documented payloads', () => {
  it('reads the fixtures from inside the repository', () => {
    expect(STARSHIPIT_FIXTURES.startsWith(REPO_ROOT)).toBe(true);
    expect(fixture('webhook-dispatched.json')).toHaveProperty('order_number', 'SO-10045');
  });

  it("parses the guide's example payload", () => {
    expect(accepted(GUIDE_EXAMPLE)).toEqual({
      orderNumber: 'API-TEST-1001',
      trackingNumber: 'TESTTRACK123',
      trackingStatus: 'Dispatched',
      statusKnown: true,
      lastUpdatedDate: '2026-06-18T09:35:00Z',
      shipmentDate: '2026-06-18T09:30:00Z',
      carrierName: 'Australia Post',
      carrierService: '7B05',
      orderReference: null,
    });
  });

  it('parses the documented-fields webhook fixture', () => {
    expect(accepted(fixture('webhook-dispatched.json'))).toEqual({
      orderNumber: 'SO-10045',
      trackingNumber: 'TEST0000000000000001',
      trackingStatus: 'Dispatched',
      statusKnown: true,
      lastUpdatedDate: '2026-06-10T05:20:11Z',
      shipmentDate: '2026-06-10T02:03:42.1543701Z',
      carrierName: 'Australia Post',
      carrierService: '7B05',
      orderReference: null,
    });
  });

  it('parses the observed webhook fixture and keeps its order_reference', () => {
    expect(accepted(fixture('webhook-intransit-observed.json'))).toEqual({
      orderNumber: 'SO-10046',
      trackingNumber: 'TEST1234567890',
      trackingStatus: 'InTransit',
      statusKnown: true,
      lastUpdatedDate: '2026-06-11T04:43:42.1543701Z',
      shipmentDate: '2026-06-10T12:03:42.1543701Z',
      carrierName: 'DHL Express',
      carrierService: 'P1',
      orderReference: 'REF-10046',
    });
  });

  it("reads the track response's zone-less dates in Sydney time, agreeing with the webhook's UTC dates", () => {
    const { results } = fixture('track-response.json') as { results: Record<string, unknown> };
    const event = accepted(results);
    expect(event.trackingStatus).toBe('Delivered');
    expect(event.lastUpdatedDate).toBe('2026-06-11T23:15:00Z');
    // The webhook fixture for the same shipment gives the label time in UTC.
    expect(event.shipmentDate).toBe(accepted(fixture('webhook-dispatched.json')).shipmentDate);
  });

  it('produces events that satisfy the TrackingEvent schema', () => {
    for (const input of [
      GUIDE_EXAMPLE,
      fixture('webhook-dispatched.json'),
      fixture('webhook-intransit-observed.json'),
    ]) {
      expect(trackingEventSchema.safeParse(accepted(input)).success).toBe(true);
    }
  });
});

describe('parseTrackingPayload: statuses', () => {
  it.each(KNOWN_STATUSES)('accepts %s as a known status', (status) => {
    const event = accepted({ ...GUIDE_EXAMPLE, tracking_status: status });
    expect(event.trackingStatus).toBe(status);
    expect(event.statusKnown).toBe(true);
  });

  it('accepts an unknown status as sent and marks it unknown', () => {
    const event = accepted({ ...GUIDE_EXAMPLE, tracking_status: 'PickedUp' });
    expect(event.trackingStatus).toBe('PickedUp');
    expect(event.statusKnown).toBe(false);
  });

  it('trims an unknown status but keeps its spelling otherwise', () => {
    const event = accepted({ ...GUIDE_EXAMPLE, tracking_status: ' Picked Up ' });
    expect(event.trackingStatus).toBe('Picked Up');
    expect(event.statusKnown).toBe(false);
  });

  it.each([
    ['In Transit', 'InTransit'],
    ['intransit', 'InTransit'],
    ['IN TRANSIT', 'InTransit'],
    ['Attempted Delivery', 'AttemptedDelivery'],
    ['out for delivery', 'OutForDelivery'],
  ])('canonicalises the spelling %j to %s', (sent, canonical) => {
    const event = accepted({ ...GUIDE_EXAMPLE, tracking_status: sent });
    expect(event.trackingStatus).toBe(canonical);
    expect(event.statusKnown).toBe(true);
  });
});

describe('parseTrackingPayload: order_number', () => {
  it('turns a numeric order_number into a string', () => {
    expect(accepted({ ...GUIDE_EXAMPLE, order_number: 1001 }).orderNumber).toBe('1001');
    expect(accepted({ ...GUIDE_EXAMPLE, order_number: 0 }).orderNumber).toBe('0');
  });

  it('rejects an order_number that is not a whole, non-negative number', () => {
    expect(paths(rejected({ ...GUIDE_EXAMPLE, order_number: 10.5 }))).toEqual(['order_number']);
    expect(paths(rejected({ ...GUIDE_EXAMPLE, order_number: -1 }))).toEqual(['order_number']);
  });

  it('rejects an order_number of another type', () => {
    for (const value of [null, true, ['SO-1'], { id: 1 }]) {
      expect(paths(rejected({ ...GUIDE_EXAMPLE, order_number: value }))).toEqual(['order_number']);
    }
  });

  it('trims a textual order_number', () => {
    expect(accepted({ ...GUIDE_EXAMPLE, order_number: '  SO-1  ' }).orderNumber).toBe('SO-1');
  });
});

describe('parseTrackingPayload: missing and mistyped fields', () => {
  it.each(['order_number', 'tracking_number', 'tracking_status', 'last_updated_date'])(
    'rejects a payload without %s and names the path',
    (field) => {
      const payload = Object.fromEntries(
        Object.entries(GUIDE_EXAMPLE).filter(([key]) => key !== field),
      );
      const issues = rejected(payload);
      expect(paths(issues)).toEqual([field]);
      expect(issues[0]!.message).not.toBe('');
    },
  );

  it('names every missing required field at once', () => {
    expect(paths(rejected({})).sort()).toEqual(
      ['last_updated_date', 'order_number', 'tracking_number', 'tracking_status'].sort(),
    );
  });

  it('reports both a numeric tracking_number and a numeric carrier_name', () => {
    const issues = rejected({ ...GUIDE_EXAMPLE, tracking_number: 5, carrier_name: 3 });
    expect(paths(issues).sort()).toEqual(['carrier_name', 'tracking_number']);
  });

  it.each([
    ['tracking_status', 7],
    ['last_updated_date', 1_781_775_300_000],
    ['carrier_service', { code: '7B05' }],
    ['shipment_date', 20260618],
    ['order_reference', 10046],
  ])('rejects %s of the wrong type', (field, value) => {
    expect(paths(rejected({ ...GUIDE_EXAMPLE, [field]: value }))).toEqual([field]);
  });

  it.each([null, [], 'SO-10045', 42])(
    'rejects a body that is not an object (%j) at the root',
    (body) => {
      expect(paths(rejected(body))).toEqual(['(root)']);
    },
  );
});

describe('parseTrackingPayload: blank values', () => {
  it.each(['order_number', 'tracking_number', 'tracking_status', 'last_updated_date'])(
    'rejects a blank %s',
    (field) => {
      expect(paths(rejected({ ...GUIDE_EXAMPLE, [field]: '' }))).toEqual([field]);
      expect(paths(rejected({ ...GUIDE_EXAMPLE, [field]: '   ' }))).toEqual([field]);
    },
  );

  it('trims the identifiers', () => {
    const event = accepted({ ...GUIDE_EXAMPLE, tracking_number: ' TESTTRACK123\n' });
    expect(event.trackingNumber).toBe('TESTTRACK123');
  });

  it('reads blank or null optional text fields as absent', () => {
    const event = accepted({
      ...GUIDE_EXAMPLE,
      carrier_name: '  ',
      carrier_service: null,
      order_reference: '',
      shipment_date: ' ',
    });
    expect(event.carrierName).toBeNull();
    expect(event.carrierService).toBeNull();
    expect(event.orderReference).toBeNull();
    expect(event.shipmentDate).toBeNull();
  });

  it('accepts a payload without any optional field', () => {
    const event = accepted({
      order_number: 'SO-1',
      tracking_number: 'T-1',
      tracking_status: 'Printed',
      last_updated_date: '2026-06-18T09:35:00Z',
    });
    expect(event).toMatchObject({
      carrierName: null,
      carrierService: null,
      shipmentDate: null,
      orderReference: null,
    });
  });
});

describe('parseTrackingPayload: extra fields', () => {
  it('accepts unknown extra fields such as metadata and keeps order_reference in the event', () => {
    const event = accepted({
      ...GUIDE_EXAMPLE,
      order_reference: 'REF123456',
      metadata: { source: 'shopify', tags: ['a'] },
      tracking_url: 'https://example.test/track',
    });
    expect(event.orderReference).toBe('REF123456');
    expect(event.orderNumber).toBe('API-TEST-1001');
  });

  it('does not modify the input object', () => {
    const input = { ...GUIDE_EXAMPLE, tracking_status: 'In Transit', metadata: {} };
    const copy = structuredClone(input);
    accepted(input);
    expect(input).toEqual(copy);
  });
});

describe('parseTrackingPayload: timestamps', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('keeps 7 fractional digits of last_updated_date and shipment_date', () => {
    const event = accepted({
      ...GUIDE_EXAMPLE,
      shipment_date: '2018-08-09T02:55:37.1446912Z',
      last_updated_date: '2018-08-09T02:56:01.0000019Z',
    });
    expect(event.shipmentDate).toBe('2018-08-09T02:55:37.1446912Z');
    expect(event.lastUpdatedDate).toBe('2018-08-09T02:56:01.0000019Z');
  });

  it('reads …09:35:00.0000000Z as the same instant as …09:35:00Z', () => {
    const padded = accepted({
      ...GUIDE_EXAMPLE,
      last_updated_date: '2026-06-18T09:35:00.0000000Z',
    });
    expect(padded.lastUpdatedDate).toBe(accepted(GUIDE_EXAMPLE).lastUpdatedDate);
  });

  it('reads a zone-less timestamp in the configured time zone (Sydney standard time)', () => {
    const event = accepted({
      ...GUIDE_EXAMPLE,
      shipment_date: '2026-06-10T12:03:42.1543701',
      last_updated_date: '2026-06-12T09:15:00',
    });
    expect(event.shipmentDate).toBe('2026-06-10T02:03:42.1543701Z');
    expect(event.lastUpdatedDate).toBe('2026-06-11T23:15:00Z');
  });

  it('reads a zone-less timestamp in the configured time zone (Sydney daylight time)', () => {
    const event = accepted({ ...GUIDE_EXAMPLE, last_updated_date: '2026-12-24T09:15:00' });
    expect(event.lastUpdatedDate).toBe('2026-12-23T22:15:00Z');
  });

  it('reads zone-less timestamps on both sides of a daylight-saving switch', () => {
    const before = accepted({ ...GUIDE_EXAMPLE, last_updated_date: '2026-10-04T01:59:00' });
    const after = accepted({ ...GUIDE_EXAMPLE, last_updated_date: '2026-10-04T03:01:00' });
    expect(before.lastUpdatedDate).toBe('2026-10-03T15:59:00Z');
    expect(after.lastUpdatedDate).toBe('2026-10-03T16:01:00Z');
  });

  it('reads the same zone-less value differently in another configured zone', () => {
    const payload = { ...GUIDE_EXAMPLE, last_updated_date: '2026-06-12T09:15:00' };
    expect(accepted(payload, 'UTC').lastUpdatedDate).toBe('2026-06-12T09:15:00Z');
    expect(accepted(payload, 'Pacific/Auckland').lastUpdatedDate).toBe('2026-06-11T21:15:00Z');
  });

  it('does not read a zone-less timestamp in the host time zone', () => {
    const payload = { ...GUIDE_EXAMPLE, last_updated_date: '2026-06-12T09:15:00' };
    vi.stubEnv('TZ', 'America/New_York');
    const inNewYork = accepted(payload).lastUpdatedDate;
    vi.stubEnv('TZ', 'Asia/Kolkata');
    const inKolkata = accepted(payload).lastUpdatedDate;
    expect(inNewYork).toBe('2026-06-11T23:15:00Z');
    expect(inKolkata).toBe('2026-06-11T23:15:00Z');
  });

  it.each([
    ['2026-06-18T19:35:00+10:00', '2026-06-18T09:35:00Z'],
    ['2026-06-18T06:05:00-0330', '2026-06-18T09:35:00Z'],
    ['2026-06-18T09:35:00Z', '2026-06-18T09:35:00Z'],
  ])('applies the explicit zone of %s rather than the configured one', (value, expected) => {
    expect(accepted({ ...GUIDE_EXAMPLE, last_updated_date: value }).lastUpdatedDate).toBe(expected);
  });

  it.each([
    '2026-02-30T09:35:00Z',
    '2026-06-18T25:00:00Z',
    '2026-06-18T25:00:00',
    '18/06/2026 09:35',
    'not a date',
  ])('rejects the invalid last_updated_date %j and names the path', (value) => {
    const issues = rejected({ ...GUIDE_EXAMPLE, last_updated_date: value });
    expect(paths(issues)).toEqual(['last_updated_date']);
    expect(issues[0]!.message).toMatch(/ISO-8601/);
  });

  it('rejects an invalid shipment_date and names the path', () => {
    const issues = rejected({ ...GUIDE_EXAMPLE, shipment_date: '2026-02-30T09:30:00Z' });
    expect(paths(issues)).toEqual(['shipment_date']);
  });

  it('reports both timestamps when both are invalid', () => {
    const issues = rejected({
      ...GUIDE_EXAMPLE,
      shipment_date: '2026-02-30T09:30:00Z',
      last_updated_date: '2026-06-18T25:00:00',
    });
    expect(paths(issues).sort()).toEqual(['last_updated_date', 'shipment_date']);
  });

  it('rejects every zone-less timestamp when the configured zone is not a real zone', () => {
    const payload = { ...GUIDE_EXAMPLE, last_updated_date: '2026-06-12T09:15:00' };
    expect(paths(rejected(payload, 'Mars/Olympus_Mons'))).toEqual(['last_updated_date']);
  });
});
