import { beforeAll, describe, expect, it } from 'vitest';
import { useOpsApi } from '../../../test/admin-server';
import type { EventJson } from './present';
import { newTrackingNumber, recordWebhook } from '../../../test/seed';

const TOKEN = 'ops-events-token';

describe('ops API: events', () => {
  const ops = useOpsApi(TOKEN);
  const orderA = 'SO-EVENTS-A';
  const parcelA1 = newTrackingNumber('EVA');
  const parcelA2 = newTrackingNumber('EVA');
  const parcelB = newTrackingNumber('EVB');

  beforeAll(async () => {
    // Stored out of time order, so "newest first" cannot come from insertion order.
    const seeds = [
      [orderA, parcelA1, 'Printed', '2026-07-01T08:00:00Z'],
      [orderA, parcelA1, 'Dispatched', '2026-07-01T10:00:00Z'],
      [orderA, parcelA2, 'Dispatched', '2026-07-01T09:00:00Z'],
      ['SO-EVENTS-B', parcelB, 'Dispatched', '2026-07-01T11:00:00Z'],
    ] as const;
    for (const [orderNumber, trackingNumber, status, at] of seeds) {
      await recordWebhook(ops.harness.db, { orderNumber, trackingNumber, status, at });
    }
  });

  async function listEvents(query: string): Promise<string[]> {
    const { status, body } = await ops.api.get<{ events: EventJson[] }>(`/events?${query}`);
    expect(status).toBe(200);
    return body.events.map((event) => `${event.tracking_number} ${event.tracking_status}`);
  }

  it('filters by order number, newest first', async () => {
    expect(await listEvents(`order_number=${orderA}`)).toEqual([
      `${parcelA1} Dispatched`,
      `${parcelA2} Dispatched`,
      `${parcelA1} Printed`,
    ]);
  });

  it('filters by tracking number, and by both at once', async () => {
    expect(await listEvents(`tracking_number=${parcelA1}`)).toEqual([
      `${parcelA1} Dispatched`,
      `${parcelA1} Printed`,
    ]);
    expect(await listEvents(`order_number=SO-EVENTS-B&tracking_number=${parcelA1}`)).toEqual([]);
  });

  it('returns at most `limit` events, the newest', async () => {
    expect(await listEvents(`order_number=${orderA}&limit=2`)).toEqual([
      `${parcelA1} Dispatched`,
      `${parcelA2} Dispatched`,
    ]);
  });

  it('returns every stored field, the payload as Starshipit sent it', async () => {
    const { body } = await ops.api.get<{ events: EventJson[] }>(
      `/events?tracking_number=${parcelB}`,
    );

    expect(body.events).toEqual([
      {
        event_id: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
        source: 'webhook',
        result: 'applied',
        order_number: 'SO-EVENTS-B',
        tracking_number: parcelB,
        tracking_status: 'Dispatched',
        status_known: true,
        last_updated_date: '2026-07-01T11:00:00Z',
        shipment_date: null,
        carrier_name: 'Australia Post',
        carrier_service: '7B05',
        order_reference: null,
        received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
        stored_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
        payload: {
          order_number: 'SO-EVENTS-B',
          tracking_number: parcelB,
          tracking_status: 'Dispatched',
          last_updated_date: '2026-07-01T11:00:00Z',
          carrier_name: 'Australia Post',
          carrier_service: '7B05',
        },
      },
    ]);
  });

  it.each(['limit=0', 'limit=501', 'limit=ten', 'limit=1.5', 'limit=1&limit=2', 'orderNumber=x'])(
    'answers 400 with the reasons for %s',
    async (query) => {
      const { status, body } = await ops.api.get<unknown>(`/events?${query}`);

      expect(status).toBe(400);
      expect(body).toEqual({
        error: 'invalid_request',
        issues: [{ path: expect.any(String) as string, message: expect.any(String) as string }],
      });
    },
  );

  it('names the parameter at fault', async () => {
    const { body } = await ops.api.get<{ issues: { path: string }[] }>('/events?limit=501');

    expect(body.issues.map((issue) => issue.path)).toEqual(['limit']);
  });
});
