import { freePort, startServiceProcess, type ServiceProcess } from '@tracksync/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('ingress started while no node of its Redis Cluster answers', () => {
  let ingress: ServiceProcess;
  let url: string;

  beforeAll(async () => {
    const seeds = await Promise.all([freePort(), freePort(), freePort()]);
    ingress = await startServiceProcess({
      entry: 'apps/ingress/src/main.ts',
      env: {
        REDIS_CLUSTER_NODES: seeds.map((port) => `127.0.0.1:${port}`).join(','),
        QUEUE_PREFIX: '{tracksync}',
        PORT: '0',
      },
      readyMessage: 'ingress listening',
      timeoutMs: 60_000,
    });
    url = `http://127.0.0.1:${String(ingress.readyLine.port)}`;
  }, 60_000);

  afterAll(async () => {
    await ingress.stop();
  });

  it('answers 503 within 2 s instead of waiting for the cluster, and is not ready', async () => {
    const started = performance.now();
    const answer = await fetch(`${url}/callback/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        order_number: 'SO-NOCLUSTER-1',
        tracking_number: 'NOCLUSTER0001',
        tracking_status: 'InTransit',
        last_updated_date: '2026-06-11T04:43:42Z',
      }),
    });

    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
