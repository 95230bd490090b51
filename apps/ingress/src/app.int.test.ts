import { deleteQueuePrefix, testRedisUrl, uniqueQueuePrefix } from '@tracksync/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postWebhook, startIngress, type RunningIngress } from '../test/ingress-harness';

const PAYLOAD = JSON.stringify({
  order_number: 'SO-10045',
  carrier_name: 'Australia Post',
  carrier_service: '7B05',
  shipment_date: '2026-06-10T02:03:42.1543701Z',
  tracking_number: 'TEST0000000000000001',
  tracking_status: 'Dispatched',
  last_updated_date: '2026-06-10T05:20:11.0000000Z',
});

describe('ingress without a webhook secret', () => {
  const redisUrl = testRedisUrl();
  const prefix = uniqueQueuePrefix();
  let ingress: RunningIngress;

  beforeAll(async () => {
    ingress = await startIngress({ redisUrl, prefix });
  });

  beforeEach(async () => {
    await ingress.clearQueues();
  });

  afterAll(async () => {
    await ingress.close();
    await deleteQueuePrefix(redisUrl, prefix);
  });

  it('accepts an unsigned webhook', async () => {
    const response = await postWebhook(ingress, PAYLOAD);
    expect(response.status).toBe(200);
    expect(await ingress.jobs('tracking-event')).toHaveLength(1);
  });

  it('ignores a signature header it has no secret to check', async () => {
    const response = await postWebhook(ingress, PAYLOAD, {
      headers: { 'x-starshipit-signature': 'anything' },
    });
    expect(response.status).toBe(200);
  });

  it('parks invalid JSON, since every request counts as authentic', async () => {
    const response = await postWebhook(ingress, 'order=1');
    expect(response.status).toBe(400);
    const parked = await ingress.jobs('parked-payload');
    expect(parked.map((job) => job.data as unknown)).toEqual([
      expect.objectContaining({ reason: 'invalid_json', body: 'order=1' }),
    ]);
  });

  it('parks the same invalid body once, however often it is sent', async () => {
    await postWebhook(ingress, '{"order_number":"SO-1"}');
    await postWebhook(ingress, '{"order_number":"SO-1"}');
    expect(await ingress.jobs('parked-payload')).toHaveLength(1);
  });

  it('treats an empty body as invalid JSON', async () => {
    const response = await fetch(`${ingress.url}/callback/`, { method: 'POST' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_json' });
  });

  it('answers /healthz and /readyz with 200 while Redis answers', async () => {
    const health = await fetch(`${ingress.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${ingress.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
  });

  it('serves Prometheus text with process metrics under the ingress prefix', async () => {
    const response = await fetch(`${ingress.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('tracksync_ingress_process_cpu_seconds_total');
    expect(text).toContain(
      'tracksync_ingress_webhooks_rejected_total{reason="queue_unavailable"} 0',
    );
  });

  it('answers an unknown route with 404 JSON and no route label of its own', async () => {
    const response = await fetch(`${ingress.url}/wp-admin/setup.php`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found' });
    const metrics = await ingress.metrics.requests.get();
    const routes = metrics.values.map((value) => value.labels.route);
    expect(routes).toContain('unmatched');
    expect(routes).not.toContain('/wp-admin/setup.php');
  });

  it('does not announce Express', async () => {
    const response = await fetch(`${ingress.url}/healthz`);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
