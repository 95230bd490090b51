import { findDelivery } from '@tracksync/db';
import { describe, expect, it } from 'vitest';
import { useOpsApi } from '../../../test/admin-server';
import { deliveryOf, newTrackingNumber, recordAttempt, recordWebhook } from '../../../test/seed';

const TOKEN = 'ops-deliveries-token';

describe('ops API: failed deliveries and retries', () => {
  const ops = useOpsApi(TOKEN);

  async function change(trackingNumber: string, status: string, at: string) {
    return deliveryOf(
      await recordWebhook(ops.harness.db, {
        orderNumber: `SO-${trackingNumber}`,
        trackingNumber,
        status,
        at,
      }),
    );
  }

  async function failedDelivery(trackingNumber = newTrackingNumber('FAIL')) {
    const deliveryId = await change(trackingNumber, 'Dispatched', '2026-06-18T10:00:00Z');
    await recordAttempt(ops.harness.db, deliveryId, 1, {
      kind: 'permanent',
      httpStatus: 422,
      reason: 'HTTP 422: no',
    });
    return { trackingNumber, deliveryId };
  }

  it('lists failed deliveries with their last error, latest failure first, and pages with offset', async () => {
    const older = await failedDelivery();
    const newer = await failedDelivery();
    const { status, body } = await ops.api.get<{ deliveries: Record<string, unknown>[] }>(
      '/deliveries/failed?limit=2',
    );
    expect(status).toBe(200);
    expect(body.deliveries.map((d) => d.delivery_id)).toEqual([newer.deliveryId, older.deliveryId]);
    expect(body.deliveries[0]).toMatchObject({
      tracking_number: newer.trackingNumber,
      order_number: `SO-${newer.trackingNumber}`,
      tracking_status: 'Dispatched',
      status: 'failed',
      attempts_made: 1,
      last_error: 'HTTP 422: no',
      last_http_status: 422,
    });
    const next = await ops.api.get<{ deliveries: Record<string, unknown>[] }>(
      '/deliveries/failed?limit=1&offset=1',
    );
    expect(next.body.deliveries.map((d) => d.delivery_id)).toEqual([older.deliveryId]);
    expect((await ops.api.get('/deliveries/failed?offset=-1')).status).toBe(400);
  });

  it('retries one failed delivery under its own id (202), then answers 409 while it is pending', async () => {
    const { deliveryId } = await failedDelivery();
    const first = await ops.api.post(`/deliveries/${deliveryId}/retry`);
    expect(first).toEqual({ status: 202, body: { status: 'queued', delivery_id: deliveryId } });
    expect(await findDelivery(ops.harness.db, deliveryId)).toMatchObject({ status: 'pending' });
    expect((await ops.harness.queues.delivery.getJob(deliveryId))?.data).toEqual({ deliveryId });
    const again = await ops.api.post(`/deliveries/${deliveryId}/retry`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'not_failed' });
    expect((await ops.api.post(`/deliveries/dlv_${'9'.repeat(32)}/retry`)).status).toBe(404);
  });

  it('refuses (409) to retry an older change once a newer one was delivered', async () => {
    const { trackingNumber, deliveryId } = await failedDelivery();
    const newer = await change(trackingNumber, 'Delivered', '2026-06-18T12:00:00Z');
    await recordAttempt(ops.harness.db, newer, 1, { kind: 'applied', httpStatus: 200 });
    const answer = await ops.api.post(`/deliveries/${deliveryId}/retry`);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: 'retry_refused' });
    expect(await findDelivery(ops.harness.db, deliveryId)).toMatchObject({ status: 'failed' });
  });

  it('retries every failed delivery at once and says how many were queued and refused', async () => {
    const { status, body } = await ops.api.post('/deliveries/retry-failed');
    expect(status).toBe(202);
    // The two from the first test, and the refused one from the test before.
    expect(body).toEqual({ status: 'queued', queued: 2, refused: 1 });
    const left = await ops.api.get<{ deliveries: unknown[] }>('/deliveries/failed');
    expect(left.body.deliveries).toHaveLength(1);
  });

  it('asks the source system again about every unmatched shipment', async () => {
    const trackingNumber = newTrackingNumber('UNM');
    const deliveryId = await change(trackingNumber, 'Dispatched', '2026-06-18T10:00:00Z');
    await recordAttempt(ops.harness.db, deliveryId, 1, { kind: 'not_found', httpStatus: 404 });
    const { status, body } = await ops.api.post('/unmatched/retry');
    expect(status).toBe(202);
    expect(body).toEqual({ status: 'queued', retried: 1 });
  });
});
