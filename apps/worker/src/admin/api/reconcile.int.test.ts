import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURSOR_OVERLAP_MS } from '../../reconcile/run';
import { waitForJobState } from '../../../test/harness';
import {
  minutesAgo,
  newTrackingNumber,
  shippedRow,
  startReconcileFixture,
  trackResult,
  zoneless,
  type ReconcileFixture,
} from '../../../test/reconcile-fixture';
import { type AdminServer, opsClient, serveAdmin, useOpsApi } from '../../../test/admin-server';

const TOKEN = 'ops-reconcile-token';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface RunJson {
  id: number;
  trigger: string;
  status: string;
  window_start: string;
  started_at: string;
  finished_at: string | null;
  requests: number;
  pages: number;
  events_found: number;
  shipments_polled: number;
  unmatched_retried: number;
  errors: string[];
}
interface RunsJson {
  enabled: boolean;
  cursor: string | null;
  runs: RunJson[];
}

const isoInstant = () => expect.stringMatching(ISO_INSTANT) as string;

describe('ops API: reconciliation with Starshipit credentials', () => {
  let fx: ReconcileFixture;
  let server: AdminServer;
  let api: ReturnType<typeof opsClient>;

  beforeAll(async () => {
    fx = await startReconcileFixture({ env: { ADMIN_TOKEN: TOKEN } });
    server = await serveAdmin(fx.harness);
    api = opsClient(server, TOKEN);
  });

  afterAll(async () => {
    await server.close();
    await fx.close();
  });

  /** Asks for a run as an operator would and waits for a worker to finish it. */
  async function requestRun() {
    const { status, body } = await api.post('/reconcile');
    expect(status).toBe(202);
    expect(body).toEqual({ status: 'queued', job_id: expect.stringMatching(/^manual-/) as string });
    await waitForJobState(fx.harness.queues.reconcile, String(body.job_id), 'completed');
  }

  it('shows reconciliation enabled, with no cursor and no runs before the first run', async () => {
    const { status, body } = await api.get<RunsJson>('/reconcile/runs');

    expect(status).toBe(200);
    expect(body).toEqual({ enabled: true, cursor: null, runs: [] });
  });

  it('starts a run on POST /api/reconcile (202) and lists it with its counts and the cursor it set', async () => {
    const trackingNumber = newTrackingNumber('OPS');
    fx.fake.shippedOrders = [shippedRow({ trackingNumber, status: 'Delivered' })];
    fx.fake.tracks = [
      trackResult({ trackingNumber, status: 'Delivered', lastUpdated: zoneless(minutesAgo(15)) }),
    ];

    await requestRun();

    const { body } = await api.get<RunsJson>('/reconcile/runs');
    expect(body.enabled).toBe(true);
    expect(body.runs).toHaveLength(1);
    const [run] = body.runs;
    expect(run).toEqual({
      id: expect.any(Number) as number,
      trigger: 'manual',
      status: 'succeeded',
      window_start: isoInstant(),
      started_at: isoInstant(),
      finished_at: isoInstant(),
      requests: 3,
      pages: 1,
      events_found: 1,
      shipments_polled: 0,
      unmatched_retried: 0,
      errors: [],
    });
    expect(body.cursor).toBe(run?.started_at);
    expect(Date.parse(run!.finished_at!)).toBeGreaterThanOrEqual(Date.parse(run!.started_at));
  });

  it('adds each further run to the list, newest first, and pages with limit', async () => {
    const before = (await api.get<RunsJson>('/reconcile/runs')).body;

    await requestRun();

    const { body } = await api.get<RunsJson>('/reconcile/runs');
    expect(body.runs).toHaveLength(before.runs.length + 1);
    const [newest, previous] = body.runs;
    expect(newest!.id).toBeGreaterThan(previous!.id);
    expect(newest).toMatchObject({ trigger: 'manual', status: 'succeeded', events_found: 0 });
    expect(Date.parse(newest!.window_start)).toBe(
      Date.parse(previous!.started_at) - CURSOR_OVERLAP_MS,
    );
    expect(body.cursor).toBe(newest!.started_at);
    const limited = await api.get<RunsJson>('/reconcile/runs?limit=1');
    expect(limited.body.runs.map((run) => run.id)).toEqual([newest!.id]);
  });

  it('rejects a limit out of range with 400', async () => {
    const { status, body } = await api.get('/reconcile/runs?limit=0');

    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_request' });
  });

  it('answers 401 without the admin token', async () => {
    const response = await fetch(`${server.url}/api/reconcile`, { method: 'POST' });

    expect(response.status).toBe(401);
    expect(await fx.harness.queues.reconcile.getJobCounts('waiting', 'active')).toEqual({
      waiting: 0,
      active: 0,
    });
  });
});

describe('ops API: reconciliation without Starshipit credentials', () => {
  const ops = useOpsApi(TOKEN);

  it('answers 409 reconciliation_disabled and queues nothing', async () => {
    const { status, body } = await ops.api.post('/reconcile');

    expect(status).toBe(409);
    expect(body).toEqual({
      error: 'reconciliation_disabled',
      message: expect.stringContaining('STARSHIPIT_API_KEY') as string,
    });
    const counts = await ops.harness.queues.reconcile.getJobCounts();
    expect(Object.values(counts).every((count) => count === 0)).toBe(true);
  });

  it('shows reconciliation disabled in the runs list', async () => {
    const { status, body } = await ops.api.get<RunsJson>('/reconcile/runs');

    expect(status).toBe(200);
    expect(body).toEqual({ enabled: false, cursor: null, runs: [] });
  });
});
