import { afterEach, describe, expect, it } from 'vitest';
import { opsClient, serveAdmin, type AdminServer } from '../../test/admin-server';
import {
  fillerRows,
  newTrackingNumber,
  requestsTo,
  shippedPageAnswer,
  shippedRow,
  startReconcileFixture,
  trackedNumbers,
  trackResult,
  zoneless,
  minutesAgo,
  type ReconcileFixture,
} from '../../test/reconcile-fixture';
import { CURSOR_OVERLAP_MS } from './run';

const TOKEN = 'ops-cursor-token';

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
  errors: string[];
}
interface RunsJson {
  enabled: boolean;
  cursor: string | null;
  runs: RunJson[];
}

let fx: ReconcileFixture | undefined;
let server: AdminServer | undefined;

afterEach(async () => {
  await server?.close();
  await fx?.close();
  server = undefined;
  fx = undefined;
});

async function start() {
  fx = await startReconcileFixture({ env: { ADMIN_TOKEN: TOKEN } });
  server = await serveAdmin(fx.harness);
  const api = opsClient(server, TOKEN);
  const runs = async () => {
    const { status, body } = await api.get<RunsJson>('/reconcile/runs');
    expect(status).toBe(200);
    return body;
  };
  return { fx, runs };
}

const minus = (iso: string, ms: number) => new Date(Date.parse(iso) - ms).toISOString();

/**
 * Two pages of orders updated just now: two findable rows on page 1, two on page 2, filler
 * rows (no tracking status yet) between them. Each findable row has its /api/track result.
 */
function twoPagesOfOrders(fx: ReconcileFixture) {
  const updatedAt = new Date().toISOString();
  const early = [newTrackingNumber('P1'), newTrackingNumber('P1')];
  const late = [newTrackingNumber('P2'), newTrackingNumber('P2')];
  const row = (trackingNumber: string) =>
    shippedRow({ trackingNumber, status: 'Delivered', updatedAt });
  fx.fake.shippedOrders = [...early.map(row), ...fillerRows(250, updatedAt), ...late.map(row)];
  const deliveredAt = zoneless(minutesAgo(20));
  fx.fake.tracks = [...early, ...late].map((trackingNumber) =>
    trackResult({ trackingNumber, status: 'Delivered', lastUpdated: deliveredAt }),
  );
  return { early, late };
}

async function expectStoredAndDeliveredOnce(fx: ReconcileFixture, trackingNumbers: string[]) {
  for (const trackingNumber of trackingNumbers) {
    expect((await fx.eventsOf(trackingNumber)).map((event) => event.source)).toEqual(['poll']);
    expect(fx.sink.requestsFor(trackingNumber)).toHaveLength(1);
  }
}

describe('reconciliation cursor', () => {
  it('stays put when a run fails midway (401 on page 2), and the next run catches up from it and moves it to its own start', async () => {
    const { fx, runs } = await start();
    await fx.run('schedule');
    const before = await runs();
    const cursor = before.cursor;
    expect(cursor).toBe(before.runs[0]?.started_at);
    const { early, late } = twoPagesOfOrders(fx);
    fx.fake.script(shippedPageAnswer(fx.fake, 1), { status: 401, path: '/api/orders/shipped' });

    const failed = await fx.run('schedule');
    await fx.settle();

    expect(failed.errors).toEqual([
      expect.stringMatching(/^shipped orders: .*\/api\/orders\/shipped answered HTTP 401/),
    ]);
    const afterFailure = await runs();
    expect(afterFailure.cursor).toBe(cursor);
    expect(afterFailure.runs[0]).toMatchObject({
      status: 'failed',
      window_start: minus(cursor!, CURSOR_OVERLAP_MS),
      events_found: 2,
      errors: failed.errors,
    });
    await expectStoredAndDeliveredOnce(fx, early);
    for (const trackingNumber of late) expect(await fx.eventsOf(trackingNumber)).toEqual([]);

    const caughtUp = await fx.run('schedule');
    await fx.settle();

    expect(caughtUp).toMatchObject({ errors: [], eventsFound: 2, pages: 2 });
    const afterCatchUp = await runs();
    const latest = afterCatchUp.runs[0]!;
    expect(latest).toMatchObject({
      status: 'succeeded',
      // The same window the failed run asked for: nothing it missed falls outside.
      window_start: minus(cursor!, CURSOR_OVERLAP_MS),
      events_found: 2,
      errors: [],
    });
    expect(afterCatchUp.cursor).toBe(latest.started_at);
    expect(Date.parse(latest.started_at)).toBeGreaterThan(Date.parse(cursor!));
    await expectStoredAndDeliveredOnce(fx, [...early, ...late]);
    // Page 1's rows agreed with stored state by then: only page 2's were tracked again.
    expect(trackedNumbers(fx.fake)).toEqual([...early, ...late]);
  });

  it('fails the run without moving the cursor when page 2 answers 500 for longer than the retries', async () => {
    const { fx, runs } = await start();
    await fx.run('schedule');
    const { cursor } = await runs();
    twoPagesOfOrders(fx);
    const serverError = { status: 500, path: '/api/orders/shipped' };
    fx.fake.script(shippedPageAnswer(fx.fake, 1), ...Array.from({ length: 5 }, () => serverError));

    const failed = await fx.run('schedule');

    const pageTwo = requestsTo(fx.fake, '/api/orders/shipped').filter(
      (request) => request.query.get('page') === '2',
    );
    expect(pageTwo.map((request) => request.status)).toEqual([500, 500, 500, 500, 500]);
    expect(failed.errors).toEqual([expect.stringMatching(/answered HTTP 500/)]);
    const after = await runs();
    expect(after.runs[0]?.status).toBe('failed');
    expect(after.cursor).toBe(cursor);

    const next = await fx.run('schedule');
    expect(next).toMatchObject({ errors: [], eventsFound: 2 });
    const recovered = await runs();
    expect(recovered.cursor).toBe(recovered.runs[0]?.started_at);
  });

  it('does not let a shipped order that /api/track cannot find (404) hold the cursor back', async () => {
    const { fx, runs } = await start();
    const trackingNumber = newTrackingNumber('NOTRACK');
    fx.fake.shippedOrders = [
      shippedRow({ trackingNumber, status: 'Delivered', shippedDate: '2026-06-10T02:03:42.154Z' }),
    ];
    fx.fake.tracks = [];

    const run = await fx.run('schedule');
    await fx.settle();

    expect(requestsTo(fx.fake, '/api/track').map((request) => request.status)).toEqual([404]);
    expect(run).toMatchObject({ errors: [], eventsFound: 1 });
    const after = await runs();
    expect(after.cursor).toBe(after.runs[0]?.started_at);
    // The row's own status stands, dated by its label time (a lower bound of the real one).
    const [event] = await fx.eventsOf(trackingNumber);
    expect(event).toMatchObject({
      source: 'poll',
      trackingStatus: 'Delivered',
      lastUpdatedDate: '2026-06-10T02:03:42.154Z',
    });
  });
});
