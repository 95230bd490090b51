import { enqueue } from '@tracksync/queue';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GUIDE_EXAMPLE_PAYLOAD,
  startHarness,
  trackingEventJob,
  waitForJobState,
  type WorkerHarness,
} from '../../test/harness';
import { basicAuth, serveAdmin, type AdminServer } from '../../test/admin-server';

const TOKEN = 'board-token';

interface BoardQueue {
  name: string;
  counts: Record<string, number>;
  readOnlyMode: boolean;
  allowRetries: boolean;
}

describe('Bull Board', () => {
  let harness: WorkerHarness;
  let server: AdminServer;
  const browser = { authorization: basicAuth(TOKEN) };

  beforeAll(async () => {
    harness = await startHarness({ ADMIN_TOKEN: TOKEN });
    server = await serveAdmin(harness);
  });

  afterAll(async () => {
    await server.close();
    await harness.close();
  });

  const board = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/admin/queues${path}`, { ...init, headers: browser });

  async function listQueues(): Promise<BoardQueue[]> {
    const response = await board('/api/queues');
    expect(response.status).toBe(200);
    return ((await response.json()) as { queues: BoardQueue[] }).queues;
  }

  it('serves its page and its static assets to a browser holding the token', async () => {
    const page = await board('');
    const html = await page.text();
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    const asset = await board(`/${script}`);

    expect(page.status).toBe(200);
    expect(html).toContain('<base href="/admin/queues/" />');
    expect(html).toContain(`<title>tracksync · ${harness.config.QUEUE_PREFIX}</title>`);
    expect(script).toBeDefined();
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${server.url}/admin/queues/${script}`)).status).toBe(401);
  });

  it('lists ingest and parked read-only and the delivery queue with retries allowed', async () => {
    const queues = await listQueues();

    expect(
      queues.map(({ name, readOnlyMode, allowRetries }) => ({
        name,
        readOnlyMode,
        allowRetries,
      })),
    ).toEqual([
      { name: 'ingest', readOnlyMode: true, allowRetries: false },
      { name: 'parked', readOnlyMode: true, allowRetries: false },
      { name: 'delivery', readOnlyMode: false, allowRetries: true },
      { name: 'reconcile', readOnlyMode: true, allowRetries: false },
    ]);
  });

  it('reads the queues under QUEUE_PREFIX', async () => {
    await enqueue(harness.queues, 'tracking-event', trackingEventJob(GUIDE_EXAMPLE_PAYLOAD));

    const ingest = (await listQueues()).find((queue) => queue.name === 'ingest');
    expect(ingest?.counts.waiting).toBe(1);
  });

  it('refuses to change a read-only queue and retries failed deliveries', async () => {
    const failing = new Worker(
      'delivery',
      () => Promise.reject(new UnrecoverableError('source system said no')),
      { connection: harness.connection, prefix: harness.config.QUEUE_PREFIX },
    );
    const deliveryId = `dlv_${'a'.repeat(32)}`;
    await enqueue(harness.queues, 'deliver-shipment', { deliveryId });
    await waitForJobState(harness.queues.delivery, deliveryId, 'failed');
    await failing.close();

    const pauseIngest = await board('/api/queues/ingest/pause', { method: 'PUT' });
    const retryDeliveries = await board('/api/queues/delivery/retry/failed', { method: 'PUT' });

    expect(pauseIngest.status).toBe(405);
    expect(await harness.queues.ingest.isPaused()).toBe(false);
    expect(retryDeliveries.status).toBe(200);
    expect(await retryDeliveries.json()).toEqual({ retried: 1, skipped: 0 });
    expect(await harness.queues.delivery.getJobState(deliveryId)).toBe('waiting');
  });
});
