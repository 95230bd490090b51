import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { createStarshipitClient, type StarshipitClientOptions } from './client';
import { paginate } from './paginate';
import type { RateLimiter, RequestRecord } from './request';
import { withApiRetries } from './retry';
import { startFakeStarshipit, type FakeStarshipit } from '../test/fake-starshipit';

let fake: FakeStarshipit;
let acquired = 0;
let records: RequestRecord[] = [];

const countingLimiter: RateLimiter = {
  acquire: () => {
    acquired += 1;
    return Promise.resolve(undefined);
  },
};

function client(overrides: Partial<StarshipitClientOptions> = {}) {
  return createStarshipitClient({
    baseUrl: fake.url,
    apiKey: fake.apiKey,
    subscriptionKey: fake.subscriptionKey,
    rateLimiter: countingLimiter,
    onRequest: (record) => records.push(record),
    ...overrides,
  });
}

const shippedRow = (n: number) => ({
  order_id: 712600000 + n,
  order_number: `SO-${10000 + n}`,
  tracking_number: `TRK${n}`,
  tracking_short_status: 'InTransit',
  shipped_date: '2026-06-10T02:03:42.154Z',
});

const since = new Date('2026-06-10T00:00:00.000Z');

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

beforeAll(async () => {
  fake = await startFakeStarshipit();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.shippedOrders = [1, 2, 3, 4, 5, 6, 7].map(shippedRow);
  fake.trackResultsAs = 'object';
  acquired = 0;
  records = [];
});

describe('starshipit client against a fake API', () => {
  it('walks every page of shipped orders', async () => {
    const api = client();
    const orderIds: unknown[] = [];
    const pages = paginate((page) =>
      api.listShippedOrders({ sinceLastUpdated: since, page, limit: 3 }),
    );
    for await (const page of pages) orderIds.push(...page.orders.map((row) => row.order_id));

    expect(orderIds).toEqual(fake.shippedOrders.map((row) => row.order_id));
    expect(fake.requests.map((request) => request.query.get('page'))).toEqual(['1', '2', '3']);
    expect(fake.requests[0]?.query.get('since_last_updated')).toBe('2026-06-10T00:00:00.000Z');
    expect(fake.requests[0]?.query.get('limit')).toBe('3');
  });

  it('sends both keys and the JSON content type on every request, each after the limiter', async () => {
    fake.tracks = [{ tracking_number: 'TRK1', tracking_status: 'Delivered' }];
    const api = client();
    await api.listShippedOrders({ sinceLastUpdated: since });
    await api.listRecentlyPrinted();
    await api.track({ trackingNumber: 'TRK1' });

    expect(fake.requests).toHaveLength(3);
    for (const { headers } of fake.requests) {
      expect(headers['starshipit-api-key']).toBe(fake.apiKey);
      expect(headers['ocp-apim-subscription-key']).toBe(fake.subscriptionKey);
      expect(headers['content-type']).toBe('application/json');
    }
    expect(acquired).toBe(3);
    expect(api.requests).toBe(3);
    expect(records.map(({ endpoint, status, outcome }) => [endpoint, status, outcome])).toEqual([
      ['/api/orders/shipped', 200, 'ok'],
      ['/api/orders/shipments', 200, 'ok'],
      ['/api/track', 200, 'ok'],
    ]);
  });

  it('filters shipped orders by since_last_updated', async () => {
    fake.shippedOrders = [
      { ...shippedRow(1), updatedAt: '2026-06-09T23:00:00Z' },
      { ...shippedRow(2), updatedAt: '2026-06-10T01:00:00Z' },
    ];
    const page = await client().listShippedOrders({ sinceLastUpdated: since });
    expect(page.orders.map((row) => row.order_id)).toEqual([712600002]);
    expect(page.orders[0]).not.toHaveProperty('updatedAt');
  });

  it('lists recently printed shipments', async () => {
    fake.recentlyPrinted = [{ order_id: 1, order_number: 'SO-1', tracking_numbers: ['A', 'B'] }];
    const page = await client().listRecentlyPrinted({ limit: 10 });
    expect(fake.requests[0]?.query.get('status')).toBe('recently_printed');
    expect(page.orders[0]?.tracking_numbers).toEqual(['A', 'B']);
  });

  it.each(['object', 'array'] as const)('tracks a parcel when results is an %s', async (form) => {
    fake.trackResultsAs = form;
    fake.tracks = [
      { order_number: 'SO-1', tracking_number: 'TRK1', tracking_status: 'In Transit' },
    ];
    const results = await client().track({ orderNumber: 'SO-1' });
    expect(results.map((result) => result.tracking_status)).toEqual(['In Transit']);
    expect(fake.requests[0]?.query.get('order_number')).toBe('SO-1');
  });

  it('gets one order with repeated include parameters', async () => {
    fake.orders = [{ order_id: 712600001, order_number: 'SO-1', packages: [{ package_id: 9 }] }];
    const order = await client().getOrder(712600001);
    expect(order.packages[0]?.package_id).toBe(9);
    expect(fake.requests[0]?.query.getAll('include')).toEqual(['Packages', 'Events']);
  });

  it('refuses wrong keys with a non-retryable 401 that names neither key', async () => {
    const api = client({ apiKey: 'wrong-api-key-0001', subscriptionKey: 'wrong-sub-key-0002' });
    const error = await caught(api.track({ trackingNumber: 'TRK1' }));
    expect(error).toMatchObject({ status: 401, retryable: false, endpoint: '/api/track' });
    expect(error.message).not.toMatch(/wrong-(api|sub)-key/);
    expect(records).toEqual([expect.objectContaining({ status: 401, outcome: 'http' })]);
  });

  it('cuts the keys out of an error body that echoes them', async () => {
    fake.script({ status: 400, body: { message: `bad request, key ${fake.apiKey}` } });
    const error = await caught(client().track({ trackingNumber: 'TRK1' }));
    expect(error.message).toBe(
      'starshipit GET /api/track answered HTTP 400: bad request, key [redacted]',
    );
  });

  it('reports an unknown tracking number as a non-retryable 404', async () => {
    const error = await caught(client().track({ trackingNumber: 'nope' }));
    expect(error).toMatchObject({ status: 404, retryable: false, kind: 'http' });
    expect(error.message).toContain('Tracking details not found.');
  });

  it('honours a 429 Retry-After through withApiRetries', async () => {
    fake.script({ status: 429, retryAfter: '1' });
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return new Promise<void>((resolve) => setTimeout(resolve, ms));
    };
    const api = client();
    const page = await withApiRetries(() => api.listShippedOrders({ sinceLastUpdated: since }), {
      attempts: 3,
      baseMs: 50,
      maxMs: 200,
      sleep,
    });

    expect(page.orders).toHaveLength(7);
    expect(waits).toEqual([1000]);
    const [first, second] = fake.requests;
    expect([first?.status, second?.status]).toEqual([429, 200]);
    expect(second!.arrivedAt - first!.arrivedAt).toBeGreaterThanOrEqual(995);
    expect(acquired).toBe(2);
  });

  it('leaves retryAfterMs undefined on a 429 without Retry-After, so the caller backs off', async () => {
    fake.script({ status: 429 });
    const error = await caught(client().listRecentlyPrinted());
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: undefined });

    fake.script({ status: 429 });
    const waits: number[] = [];
    await withApiRetries(() => client().listRecentlyPrinted(), {
      attempts: 2,
      baseMs: 100,
      maxMs: 100,
      random: () => 0,
      sleep: (ms) => (waits.push(ms), Promise.resolve()),
    });
    expect(waits).toEqual([50]);
  });

  it('rejects a 200 with success: false, and a body of the wrong shape', async () => {
    fake.script({ status: 200, body: { success: false, errors: [{ message: 'Account locked' }] } });
    const unsuccessful = await caught(client().listRecentlyPrinted());
    expect(unsuccessful).toMatchObject({ kind: 'unsuccessful', status: 200, retryable: false });
    expect(unsuccessful.message).toContain('Account locked');

    fake.script({ status: 200, body: { success: true, orders: 'none' } });
    const invalid = await caught(client().listRecentlyPrinted());
    expect(invalid).toMatchObject({ kind: 'invalid_response', retryable: false });
  });

  it('does not follow a redirect, which would carry the keys elsewhere', async () => {
    fake.script({ status: 302, headers: { location: `${fake.url}/api/track?tracking_number=x` } });
    const error = await caught(client().track({ trackingNumber: 'TRK1' }));
    expect(error).toMatchObject({ status: 302, retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('times out a slow answer as a retryable error', async () => {
    fake.script({ status: 200, delayMs: 2_000, body: { success: true, orders: [] } });
    const started = performance.now();
    const error = await caught(client({ timeoutMs: 200 }).listRecentlyPrinted());
    expect(error).toMatchObject({ kind: 'timeout', status: null, retryable: true });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const error = await caught(
      client({ baseUrl: `http://127.0.0.1:${port}` }).listRecentlyPrinted(),
    );
    expect(error).toMatchObject({ kind: 'network', status: null, retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('checks its arguments before spending any budget', async () => {
    const api = client();
    await expect(api.track({})).rejects.toThrow(TypeError);
    await expect(api.listRecentlyPrinted({ limit: 251 })).rejects.toThrow(RangeError);
    expect(() => client({ apiKey: ' ' })).toThrow('apiKey must not be empty');
    expect(acquired).toBe(0);
  });
});
