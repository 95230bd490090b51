import { createHash } from 'node:crypto';
import { readStarshipitFixture as fixture } from '@tracksync/test-support';
import { describe, expect, it } from 'vitest';
import { dedupKey } from './dedup-key';
import { parseTrackingPayload, type TrackingEvent } from './tracking-event';

const SYDNEY = 'Australia/Sydney';

function parsed(input: unknown): TrackingEvent {
  const result = parseTrackingPayload(input, SYDNEY);
  if (!result.ok)
    throw new Error(`expected the payload to parse: ${JSON.stringify(result.issues)}`);
  return result.event;
}

const IDENTITY = {
  orderNumber: 'SO-10045',
  trackingNumber: 'TEST0000000000000001',
  trackingStatus: 'Dispatched',
  lastUpdatedDate: '2026-06-10T05:20:11Z',
};

const PAYLOAD = {
  order_number: 'SO-10045',
  tracking_number: 'TEST0000000000000001',
  tracking_status: 'Dispatched',
  last_updated_date: '2026-06-10T05:20:11Z',
};

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('dedupKey', () => {
  it('is deterministic', () => {
    expect(dedupKey(IDENTITY)).toBe(dedupKey({ ...IDENTITY }));
  });

  it('is 64 lower-case hex digits and never contains a colon', () => {
    const key = dedupKey(IDENTITY);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain(':');
  });

  it('contains no colon even when every part is full of colons', () => {
    const key = dedupKey({
      orderNumber: 'a:b',
      trackingNumber: '::',
      trackingStatus: 'In:Transit',
      lastUpdatedDate: '2026-06-10T05:20:11Z',
    });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the sha256 of the JSON array [order, tracking, status, instant] for the fixture', () => {
    const event = parsed(fixture('webhook-dispatched.json'));
    const expected = sha256Hex(
      JSON.stringify(['SO-10045', 'TEST0000000000000001', 'Dispatched', '2026-06-10T05:20:11Z']),
    );
    expect(dedupKey(event)).toBe(expected);
    // Pinned: a different key format would split stored events from their later duplicates.
    expect(dedupKey(event)).toBe(
      'fe82c5b92da0460f31a9c74959d8fb66554fce8dfcc8ec133b4b44a153e99df8',
    );
  });

  it('gives …09:35:00Z and …09:35:00.0000000Z the same key', () => {
    const plain = parsed({ ...PAYLOAD, last_updated_date: '2026-06-18T09:35:00Z' });
    const padded = parsed({ ...PAYLOAD, last_updated_date: '2026-06-18T09:35:00.0000000Z' });
    expect(dedupKey(padded)).toBe(dedupKey(plain));
  });

  it('gives the same instant written with a zone, an offset or none (Sydney) the same key', () => {
    const keys = [
      '2026-06-10T05:20:11Z',
      '2026-06-10T05:20:11.0000000Z',
      '2026-06-10T15:20:11+10:00',
      '2026-06-10T15:20:11',
    ].map((value) => dedupKey(parsed({ ...PAYLOAD, last_updated_date: value })));
    expect(new Set(keys).size).toBe(1);
  });

  it('gives status spellings that mean the same status the same key', () => {
    const canonical = parsed({ ...PAYLOAD, tracking_status: 'InTransit' });
    const spaced = parsed({ ...PAYLOAD, tracking_status: 'In Transit' });
    expect(dedupKey(spaced)).toBe(dedupKey(canonical));
  });

  it('gives a numeric order_number the key of its text form', () => {
    const numeric = parsed({ ...PAYLOAD, order_number: 10045 });
    const text = parsed({ ...PAYLOAD, order_number: '10045' });
    expect(dedupKey(numeric)).toBe(dedupKey(text));
  });

  it('ignores the fields outside the identity', () => {
    const sparse = parsed(PAYLOAD);
    const rich = parsed({
      ...PAYLOAD,
      carrier_name: 'Australia Post',
      carrier_service: '7B05',
      shipment_date: '2026-06-10T02:03:42Z',
      order_reference: 'REF',
    });
    expect(dedupKey(rich)).toBe(dedupKey(sparse));
  });

  it.each([
    ['orderNumber', 'SO-10046'],
    ['trackingNumber', 'TEST0000000000000002'],
    ['trackingStatus', 'InTransit'],
    ['lastUpdatedDate', '2026-06-10T05:20:11.0000001Z'],
  ])('changes when %s changes', (field, value) => {
    expect(dedupKey({ ...IDENTITY, [field]: value })).not.toBe(dedupKey(IDENTITY));
  });

  it('keeps the parts apart, so moving text from one part to the next changes the key', () => {
    const a = dedupKey({ ...IDENTITY, orderNumber: 'SO-1', trackingNumber: '0045' });
    const b = dedupKey({ ...IDENTITY, orderNumber: 'SO-10', trackingNumber: '045' });
    expect(a).not.toBe(b);
  });

  it('differs between the two webhook fixtures', () => {
    expect(dedupKey(parsed(fixture('webhook-dispatched.json')))).not.toBe(
      dedupKey(parsed(fixture('webhook-intransit-observed.json'))),
    );
  });
});
