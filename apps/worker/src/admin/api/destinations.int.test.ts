import { deliveries } from '@tracksync/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsClient, serveAdmin, type AdminServer } from '../../../test/admin-server';
import { writeDestinationsFile } from '../../../test/destinations';
import { startHarness, type WorkerHarness } from '../../../test/harness';
import { recordWebhook } from '../../../test/seed';

const TOKEN = 'ops-destinations-token';

describe('ops API: destinations', () => {
  let harness: WorkerHarness;
  let server: AdminServer;
  let api: ReturnType<typeof opsClient>;

  beforeAll(async () => {
    const path = await writeDestinationsFile(`destinations:
  erp:
    adapter: http
    url: https://erp.example.com/hooks/tracking?key=\${ERP_KEY}
    auth: { type: bearer, token: "\${ERP_TOKEN}" }
    rate_limit_per_sec: 4
    filter: { statuses: [Delivered] }
  audit:
    adapter: log
`);
    harness = await startHarness({
      ADMIN_TOKEN: TOKEN,
      TRACKSYNC_CONFIG: path,
      ERP_KEY: 'query-secret',
      ERP_TOKEN: 'bearer-secret',
    });
    server = await serveAdmin(harness);
    api = opsClient(server, TOKEN);
  });

  afterAll(async () => {
    await server.close();
    await harness.close();
  });

  it('lists each destination with its state and counts, and no secret', async () => {
    const recorded = await recordWebhook(
      harness.db,
      {
        orderNumber: 'SO-1',
        trackingNumber: 'TRK-API-1',
        status: 'Delivered',
        at: '2026-06-18T10:00:00Z',
      },
      harness.destinations.outbox,
    );
    if (recorded.result === 'duplicate') throw new Error('expected a change');
    await harness.db
      .update(deliveries)
      .set({ status: 'failed', finishedAt: new Date() })
      .where(eq(deliveries.destination, 'audit'));
    const { status, body } = await api.get<{ destinations: unknown[] }>('/destinations');
    expect(status).toBe(200);
    expect(body.destinations).toEqual([
      {
        name: 'erp',
        adapter: 'http',
        target: 'https://erp.example.com',
        transform: false,
        signed: false,
        auth: 'bearer',
        filter: { statuses: ['Delivered'] },
        rate_limit_per_sec: 4,
        paused: false,
        paused_at: null,
        pending: 1,
        failed: 0,
      },
      expect.objectContaining({ name: 'audit', adapter: 'log', pending: 0, failed: 1 }),
    ]);
    expect(JSON.stringify(body)).not.toMatch(/query-secret|bearer-secret/);
  });

  it('pauses and resumes a destination, for every replica', async () => {
    expect((await api.post('/destinations/erp/pause')).body).toEqual({
      status: 'paused',
      destination: 'erp',
    });
    const paused = await api.get<{ destinations: { name: string; paused: boolean }[] }>(
      '/destinations',
    );
    expect(paused.body.destinations.find((d) => d.name === 'erp')?.paused).toBe(true);
    expect(await harness.control.isPaused('erp')).toBe(true);
    expect((await api.post('/destinations/erp/resume')).status).toBe(202);
    expect(await harness.control.isPaused('erp')).toBe(false);
  });

  it("retries a destination's failed deliveries, and checks since", async () => {
    expect(await api.post('/destinations/audit/retry-failed?since=2026-01-01T00:00:00Z')).toEqual({
      status: 202,
      body: { status: 'queued', queued: 1, refused: 0 },
    });
    expect((await api.post('/destinations/audit/retry-failed?since=yesterday')).status).toBe(400);
  });

  it('answers 404 for a destination that is not configured', async () => {
    for (const path of [
      '/destinations/nope/pause',
      '/destinations/nope/resume',
      '/destinations/nope/retry-failed',
    ]) {
      expect((await api.post(path)).status).toBe(404);
    }
  });
});
