import { freePort } from '@tracksync/test-support';
import { createDb, parkPayload } from '@tracksync/db';
import { describe, expect, it } from 'vitest';
import { serveAdmin, useOpsApi } from '../../../test/admin-server';
import type {
  DeliveryJson,
  DeliverySummaryJson,
  EventJson,
  ParkedJson,
  ShipmentJson,
} from './present';
import { deliveryOf, newTrackingNumber, recordAttempt, recordWebhook } from '../../../test/seed';

const TOKEN = 'ops-read-token';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface ShipmentDetailJson {
  shipment: ShipmentJson;
  events: EventJson[];
  deliveries: DeliveryJson[];
}
type UnmatchedJson = ShipmentJson & {
  unmatched_destinations: string[];
  last_delivery: DeliverySummaryJson | null;
};

const isoInstant = () => expect.stringMatching(ISO_INSTANT) as string;

describe('ops API: shipments, unmatched and parked', () => {
  const ops = useOpsApi(TOKEN);

  it('shows a shipment with its events and its deliveries with their attempts, newest first', async () => {
    const trackingNumber = newTrackingNumber();
    const seed = { orderNumber: 'SO-DETAIL', trackingNumber };
    const dispatched = await recordWebhook(ops.harness.db, {
      ...seed,
      status: 'Dispatched',
      at: '2026-06-18T10:00:00Z',
    });
    const inTransit = await recordWebhook(ops.harness.db, {
      ...seed,
      status: 'InTransit',
      at: '2026-06-18T11:00:00Z',
    });
    const first = deliveryOf(dispatched);
    await recordAttempt(ops.harness.db, first, 1, {
      kind: 'retry',
      reason: 'source system answered 503',
      httpStatus: 503,
      retryAfterMs: 2000,
    });
    await recordAttempt(ops.harness.db, first, 2, { kind: 'applied', httpStatus: 200 });

    const { status, body } = await ops.api.get<ShipmentDetailJson>(`/shipments/${trackingNumber}`);

    expect(status).toBe(200);
    expect(body.shipment).toMatchObject({
      tracking_number: trackingNumber,
      order_number: 'SO-DETAIL',
      tracking_status: 'InTransit',
      carrier_name: 'Australia Post',
      carrier_service: '7B05',
      last_updated_date: '2026-06-18T11:00:00Z',
      source_order_id: null,
      unmatched_since: null,
    });
    expect(body.shipment.created_at).toMatch(ISO_INSTANT);
    expect(body.events.map((event) => event.tracking_status)).toEqual(['InTransit', 'Dispatched']);
    expect(body.events[1]).toMatchObject({
      source: 'webhook',
      result: 'applied',
      status_known: true,
      payload: { tracking_number: trackingNumber, tracking_status: 'Dispatched' },
    });
    expect(body.events[1]!.received_at).toMatch(ISO_INSTANT);
    expect(body.deliveries).toEqual([
      expect.objectContaining({
        delivery_id: deliveryOf(inTransit),
        reason: 'change',
        status: 'pending',
        attempts_made: 0,
        attempts: [],
        state: expect.objectContaining({ tracking_status: 'InTransit' }) as object,
      }),
      expect.objectContaining({
        delivery_id: first,
        status: 'delivered',
        attempts_made: 2,
        last_error: null,
        finished_at: isoInstant(),
        attempts: [
          expect.objectContaining({
            attempt: 1,
            adapter: 'http',
            outcome: 'retry',
            http_status: 503,
            error: 'source system answered 503',
            retry_after_ms: 2000,
            started_at: isoInstant(),
          }),
          expect.objectContaining({ attempt: 2, outcome: 'applied', http_status: 200 }),
        ],
      }),
    ]);
  });

  it('answers 404 with a message for an unknown shipment', async () => {
    const { status, body } = await ops.api.get<unknown>('/shipments/NO-SUCH-PARCEL');

    expect(status).toBe(404);
    expect(body).toEqual({
      error: 'not_found',
      message: expect.stringContaining('NO-SUCH-PARCEL') as string,
    });
  });

  it('lists unmatched shipments, the longest waiting first, with what the source system said last', async () => {
    const earlier = newTrackingNumber('UNM');
    const later = newTrackingNumber('UNM');
    for (const trackingNumber of [earlier, later]) {
      const recorded = await recordWebhook(ops.harness.db, {
        orderNumber: `SO-${trackingNumber}`,
        trackingNumber,
        status: 'Dispatched',
        at: '2026-06-20T10:00:00Z',
      });
      await recordAttempt(ops.harness.db, deliveryOf(recorded), 1, {
        kind: 'not_found',
        httpStatus: 404,
      });
    }

    const { status, body } = await ops.api.get<{ shipments: UnmatchedJson[] }>('/unmatched');

    expect(status).toBe(200);
    const ours = body.shipments.filter((shipment) =>
      [earlier, later].includes(shipment.tracking_number),
    );
    expect(ours.map((shipment) => shipment.tracking_number)).toEqual([earlier, later]);
    expect(ours[0]).toMatchObject({
      order_number: `SO-${earlier}`,
      tracking_status: 'Dispatched',
      unmatched_since: isoInstant(),
      unmatched_destinations: ['default'],
      last_delivery: { status: 'unmatched', last_http_status: 404, attempts_made: 1 },
    });
  });

  it('lists parked payloads, newest first, limited by `limit`', async () => {
    for (const [index, body] of [
      '{"order_number":',
      '{"tracking_status":"Dispatched"}',
    ].entries()) {
      await parkPayload(ops.harness.db, {
        parkedId: `parked-${index}`,
        reason: index === 0 ? 'invalid_json' : 'invalid_payload',
        body,
        issues: index === 0 ? [] : [{ path: 'order_number', message: 'Required' }],
        receivedAt: new Date('2026-06-18T09:35:01Z'),
      });
    }

    const all = await ops.api.get<{ parked: ParkedJson[] }>('/parked');
    const newest = await ops.api.get<{ parked: ParkedJson[] }>('/parked?limit=1');

    expect(all.status).toBe(200);
    expect(all.body.parked).toEqual([
      {
        parked_id: 'parked-1',
        reason: 'invalid_payload',
        issues: [{ path: 'order_number', message: 'Required' }],
        body: '{"tracking_status":"Dispatched"}',
        received_at: '2026-06-18T09:35:01.000Z',
        stored_at: isoInstant(),
      },
      expect.objectContaining({ parked_id: 'parked-0', reason: 'invalid_json' }),
    ]);
    expect(newest.body.parked.map((row) => row.parked_id)).toEqual(['parked-1']);
  });

  it('answers 500 internal_error, without the cause, when Postgres is unreachable', async () => {
    const deadDatabase = createDb(`postgres://postgres@127.0.0.1:${await freePort()}/gone`);
    const deadServer = await serveAdmin(ops.harness, { db: deadDatabase.db });
    try {
      const response = await fetch(`${deadServer.url}/api/shipments/ANY`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });

      expect(response.status).toBe(500);
      expect(await response.text()).toBe('{"error":"internal_error"}');
      expect(ops.harness.lines).toContainEqual(
        expect.objectContaining({ msg: 'admin request failed', level: 50 }),
      );
    } finally {
      await deadServer.close();
      await deadDatabase.close();
    }
  });
});
