import { findDelivery, findShipment } from '@tracksync/db';
import { describe, expect, it } from 'vitest';
import { useOpsApi } from '../../../test/admin-server';
import { deliveryOf, newTrackingNumber, recordAttempt, recordWebhook } from '../../../test/seed';

const TOKEN = 'ops-actions-token';

describe('ops API: match and replay', () => {
  const ops = useOpsApi(TOKEN);

  const post = (path: string, body?: string) => ops.api.post(path, body);

  async function unmatchedShipment(): Promise<{ trackingNumber: string; eventId: string }> {
    const trackingNumber = newTrackingNumber('MATCH');
    const recorded = await recordWebhook(ops.harness.db, {
      orderNumber: `SO-${trackingNumber}`,
      trackingNumber,
      status: 'Dispatched',
      at: '2026-06-18T10:00:00Z',
    });
    await recordAttempt(ops.harness.db, deliveryOf(recorded), 1, {
      kind: 'not_found',
      httpStatus: 404,
    });
    const shipment = await findShipment(ops.harness.db, trackingNumber);
    return { trackingNumber, eventId: shipment!.lastEventId };
  }

  async function expectDeliveryJob(deliveryId: unknown): Promise<void> {
    expect(deliveryId).toMatch(/^dlv_[0-9a-f]{32}$/);
    const job = await ops.harness.queues.delivery.getJob(String(deliveryId));
    expect(job?.name).toBe('deliver-shipment');
    expect(job?.data).toEqual({ deliveryId });
    expect(job?.opts.attempts).toBe(ops.harness.config.DELIVERY_ATTEMPTS);
  }

  describe('match', () => {
    it('links the shipment to the source order and queues a delivery of its current state', async () => {
      const { trackingNumber } = await unmatchedShipment();

      const { status, body } = await post(
        `/unmatched/${trackingNumber}/match`,
        JSON.stringify({ source_order_id: 'ERP-42' }),
      );

      expect(status).toBe(202);
      expect(body).toEqual({
        status: 'queued',
        delivery_id: expect.any(String) as string,
        delivery_ids: [body.delivery_id],
      });
      await expectDeliveryJob(body.delivery_id);
      expect(await findShipment(ops.harness.db, trackingNumber)).toMatchObject({
        sourceOrderId: 'ERP-42',
      });
      expect(await findDelivery(ops.harness.db, String(body.delivery_id))).toMatchObject({
        trackingNumber,
        reason: 'match',
        status: 'pending',
      });
      expect(ops.harness.lines).toContainEqual(
        expect.objectContaining({ msg: 'shipment matched by an operator', trackingNumber }),
      );
    });

    it('answers 404 for an unknown tracking number and queues nothing', async () => {
      const before = await ops.harness.queues.delivery.count();
      const { status, body } = await post(
        '/unmatched/NO-SUCH-PARCEL/match',
        JSON.stringify({ source_order_id: 'ERP-42' }),
      );

      expect(status).toBe(404);
      expect(body).toEqual({
        error: 'not_found',
        message: expect.stringContaining('NO-SUCH-PARCEL') as string,
      });
      expect(await ops.harness.queues.delivery.count()).toBe(before);
    });

    it.each([
      ['no body', undefined],
      ['no source_order_id', '{}'],
      ['an empty source_order_id', '{"source_order_id":"  "}'],
      ['a number', '{"source_order_id":42}'],
      ['201 characters', JSON.stringify({ source_order_id: 'x'.repeat(201) })],
    ])('answers 400 with the reasons for %s, before touching the shipment', async (_case, body) => {
      const { trackingNumber } = await unmatchedShipment();

      const answer = await post(`/unmatched/${trackingNumber}/match`, body);

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        error: 'invalid_request',
        issues: [expect.any(Object) as object],
      });
      expect(await findShipment(ops.harness.db, trackingNumber)).toMatchObject({
        sourceOrderId: null,
      });
    });

    it('answers 400 invalid_json to a body that is not JSON', async () => {
      const { trackingNumber } = await unmatchedShipment();
      const answer = await post(`/unmatched/${trackingNumber}/match`, '{"source_order_id":');

      expect(answer).toEqual({ status: 400, body: { error: 'invalid_json' } });
    });

    it('answers 413 to a body over 16 kB', async () => {
      const { trackingNumber } = await unmatchedShipment();
      const huge = JSON.stringify({ source_order_id: 'x', padding: 'y'.repeat(20_000) });
      const answer = await post(`/unmatched/${trackingNumber}/match`, huge);

      expect(answer).toEqual({ status: 413, body: { error: 'payload_too_large' } });
    });
  });

  describe('replay', () => {
    it('queues a new delivery of the event each time it is asked', async () => {
      const { trackingNumber, eventId } = await unmatchedShipment();

      const first = await post(`/events/${eventId}/replay`);
      const second = await post(`/events/${eventId}/replay`);

      expect([first.status, second.status]).toEqual([202, 202]);
      expect(first.body).toEqual({
        status: 'queued',
        delivery_id: expect.any(String) as string,
        delivery_ids: [first.body.delivery_id],
      });
      expect(second.body.delivery_id).not.toBe(first.body.delivery_id);
      await expectDeliveryJob(first.body.delivery_id);
      await expectDeliveryJob(second.body.delivery_id);
      expect(await findDelivery(ops.harness.db, String(second.body.delivery_id))).toMatchObject({
        trackingNumber,
        eventId,
        reason: 'replay',
      });
    });

    it('answers 404 for an unknown event', async () => {
      const { status, body } = await post(`/events/${'0'.repeat(64)}/replay`);

      expect(status).toBe(404);
      expect(body).toEqual({ error: 'not_found', message: expect.any(String) as string });
    });
  });

  it('answers unknown API paths with a JSON 404 and never a stack trace', async () => {
    const response = await fetch(`${ops.server.url}/api/nothing-here`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found' });
  });
});
