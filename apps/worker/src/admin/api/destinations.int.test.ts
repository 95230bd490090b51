import { deliveries } from '@tracksync/db';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useOpsApi } from '../../../test/admin-server';
import { writeDestinationsFile } from '../../../test/destinations';
import { recordWebhook } from '../../../test/seed';

const TOKEN = 'ops-destinations-token';

describe('ops API: destinations', () => {
  const ops = useOpsApi(TOKEN, async () => ({
    TRACKSYNC_CONFIG: await writeDestinationsFile(`destinations:
  erp:
    adapter: http
    url: https://erp.example.com/hooks/tracking?key=\${ERP_KEY}
    auth: { type: bearer, token: "\${ERP_TOKEN}" }
    rate_limit_per_sec: 4
    filter: { statuses: [Delivered] }
  audit:
    adapter: log
`),
    ERP_KEY: 'query-secret',
    ERP_TOKEN: 'bearer-secret',
  }));

  it('lists each destination with its state and counts, and no secret', async () => {
    const recorded = await recordWebhook(
      ops.harness.db,
      {
        orderNumber: 'SO-1',
        trackingNumber: 'TRK-API-1',
        status: 'Delivered',
        at: '2026-06-18T10:00:00Z',
      },
      ops.harness.destinations.outbox,
    );
    if (recorded.result === 'duplicate') throw new Error('expected a change');
    await ops.harness.db
      .update(deliveries)
      .set({ status: 'failed', finishedAt: new Date() })
      .where(eq(deliveries.destination, 'audit'));
    const { status, body } = await ops.api.get<{ destinations: unknown[] }>('/destinations');
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
    expect((await ops.api.post('/destinations/erp/pause')).body).toEqual({
      status: 'paused',
      destination: 'erp',
    });
    const paused = await ops.api.get<{ destinations: { name: string; paused: boolean }[] }>(
      '/destinations',
    );
    expect(paused.body.destinations.find((d) => d.name === 'erp')?.paused).toBe(true);
    expect(await ops.harness.control.isPaused('erp')).toBe(true);
    expect((await ops.api.post('/destinations/erp/resume')).status).toBe(202);
    expect(await ops.harness.control.isPaused('erp')).toBe(false);
  });

  it("retries a destination's failed deliveries, and checks since", async () => {
    expect(
      await ops.api.post('/destinations/audit/retry-failed?since=2026-01-01T00:00:00Z'),
    ).toEqual({
      status: 202,
      body: { status: 'queued', queued: 1, refused: 0 },
    });
    expect((await ops.api.post('/destinations/audit/retry-failed?since=yesterday')).status).toBe(
      400,
    );
  });

  it('answers 404 for a destination that is not configured', async () => {
    for (const path of [
      '/destinations/nope/pause',
      '/destinations/nope/resume',
      '/destinations/nope/retry-failed',
    ]) {
      expect((await ops.api.post(path)).status).toBe(404);
    }
  });
});
