import {
  deleteQueuePrefix,
  freePort,
  startRedisServer,
  uniqueQueuePrefix,
  type RedisServer,
} from '@tracksync/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook, startIngress, type RunningIngress } from '../test/ingress-harness';

const PAYLOAD = JSON.stringify({
  order_number: 'SO-OUTAGE-1',
  carrier_name: 'Australia Post',
  carrier_service: '7B05',
  tracking_number: 'TESTOUTAGE0001',
  tracking_status: 'InTransit',
  last_updated_date: '2026-06-11T04:43:42Z',
});

async function timed<T>(action: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await action();
  return { result, ms: performance.now() - started };
}

describe('ingress while Redis is down', () => {
  const prefix = uniqueQueuePrefix();
  let redis: RedisServer;
  let ingress: RunningIngress;

  beforeAll(async () => {
    redis = await startRedisServer();
    ingress = await startIngress({ redisUrl: redis.url, prefix });
  });

  afterAll(async () => {
    await ingress.close();
    await deleteQueuePrefix(redis.url, prefix);
    await redis.destroy();
  });

  it('answers 503 with Retry-After within 2 s after Redis is killed, then 200 once it is back', async () => {
    expect((await postWebhook(ingress, PAYLOAD)).status).toBe(200);

    await redis.kill();

    const { result: down, ms } = await timed(() => postWebhook(ingress, PAYLOAD));
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await down.json()).toEqual({ error: 'queue_unavailable' });
    expect(ms).toBeLessThan(2_000);

    const { result: notReady, ms: readyMs } = await timed(() => fetch(`${ingress.url}/readyz`));
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'unavailable' });
    expect(readyMs).toBeLessThan(2_000);
    expect((await fetch(`${ingress.url}/healthz`)).status).toBe(200);

    // A body that would be parked cannot be parked either: 503, so the sender retries it.
    const { result: unparkable, ms: parkMs } = await timed(() => postWebhook(ingress, '{oops'));
    expect(unparkable.status).toBe(503);
    expect(parkMs).toBeLessThan(2_000);

    await redis.restart();

    let status = 0;
    const deadline = Date.now() + 10_000;
    while (status !== 200 && Date.now() < deadline) {
      status = (await postWebhook(ingress, PAYLOAD)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect((await fetch(`${ingress.url}/readyz`)).status).toBe(200);
    expect(await ingress.jobs('tracking-event')).toHaveLength(1);

    // Each 503 was counted and logged once, at error level, with its body made safe.
    const counter = await ingress.metrics.rejected.get();
    const unavailable = counter.values.find((value) => value.labels.reason === 'queue_unavailable');
    const lines = ingress.logs.filter((line) => line.reason === 'queue_unavailable');
    expect(unavailable?.value).toBeGreaterThanOrEqual(2);
    expect(lines).toHaveLength(unavailable?.value ?? 0);
    expect(lines.every((line) => line.level === 50 && 'body' in line)).toBe(true);
  });
});

describe('ingress started while Redis has never been reachable', () => {
  let ingress: RunningIngress;

  beforeAll(async () => {
    const nothingListens = `redis://127.0.0.1:${await freePort()}`;
    ingress = await startIngress({ redisUrl: nothingListens, prefix: uniqueQueuePrefix() });
  });

  afterAll(async () => {
    await ingress.close();
  });

  it('answers 503 within 2 s instead of waiting for the first connection', async () => {
    const { result, ms } = await timed(() => postWebhook(ingress, PAYLOAD));
    expect(result.status).toBe(503);
    expect(ms).toBeLessThan(2_000);
    expect((await fetch(`${ingress.url}/readyz`)).status).toBe(503);
  });
});
