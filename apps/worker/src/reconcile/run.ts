import {
  advanceCursor,
  findShipmentStatuses,
  findStaleShipments,
  finishReconcileRun,
  markShipmentsPolled,
  readCursor,
  startReconcileRun,
  type ReconcileStats,
} from '@tracksync/db';
import { canonicalStatus } from '@tracksync/domain';
import {
  isApiError,
  paginate,
  printedShipmentToPayloads,
  shippedOrderToPayload,
  trackResultToPayload,
  withApiRetries,
  type PolledTrackingPayload,
  type StarshipitClient,
  type TrackResult,
} from '@tracksync/starshipit';
import { retryUnmatchedShipments } from '../deliveries/requests';
import { enqueueOrphanedDeliveries, type ScheduleDeps } from '../deliveries/schedule';
import { feedPolledPayloads, statusDiffers, type FeedDeps } from './feed';

export const SHIPPED_CURSOR = 'shipped';
/** Rows can shift between offset-based pages mid-walk: each window overlaps the last. */
export const CURSOR_OVERLAP_MS = 15 * 60 * 1000;
/** The first run, with no cursor yet, looks back a day (Starshipit's own default window). */
export const FIRST_RUN_LOOKBACK_MS = 24 * 60 * 60 * 1000;
/** Bounds the per-run `/api/track` calls for silent shipments: 200 calls ≈ 100 s at 2/s. */
export const MAX_STALE_POLLS_PER_RUN = 200;
const API_RETRIES = { attempts: 5, baseMs: 1_000, maxMs: 60_000 };

export interface ReconcileDeps extends FeedDeps, ScheduleDeps {
  readonly client: StarshipitClient;
  readonly staleAfterMs: number;
}

/**
 * One reconciliation run (§7): shipped orders since the cursor (minus an overlap), recently
 * printed labels, silent shipments, then unmatched ones. Each step records its own error and
 * the rest still run; the cursor moves to the run's start only when every step succeeded,
 * so a failure is caught up by the next run.
 */
export async function runReconciliation(
  deps: ReconcileDeps,
  trigger: 'schedule' | 'manual',
): Promise<ReconcileStats & { runId: number }> {
  const startedAt = new Date();
  const cursor = await readCursor(deps.db, SHIPPED_CURSOR);
  const windowStart = new Date(
    (cursor?.getTime() ?? startedAt.getTime() - FIRST_RUN_LOOKBACK_MS) - CURSOR_OVERLAP_MS,
  );
  const runId = await startReconcileRun(deps.db, { trigger, windowStart, startedAt });
  const requestsBefore = deps.client.requests;
  const stats: ReconcileStats = {
    requests: 0,
    pages: 0,
    eventsFound: 0,
    shipmentsPolled: 0,
    unmatchedRetried: 0,
    errors: [],
  };
  const step = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      stats.errors.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      deps.log.warn({ err, runId, step: name }, 'reconciliation step failed');
    }
  };

  await step('shipped orders', () => reconcileShippedOrders(deps, windowStart, stats));
  await step('recently printed', () => reconcileRecentlyPrinted(deps, stats));
  await step('silent shipments', () => pollSilentShipments(deps, startedAt, stats));
  await step('unmatched', async () => {
    stats.unmatchedRetried = await retryUnmatchedShipments(deps);
  });
  await step('pending deliveries', async () => {
    await enqueueOrphanedDeliveries(deps);
  });

  stats.requests = deps.client.requests - requestsBefore;
  await finishReconcileRun(deps.db, runId, stats);
  if (stats.errors.length === 0) await advanceCursor(deps.db, SHIPPED_CURSOR, startedAt);
  deps.log.info({ runId, trigger, windowStart, ...stats }, 'reconciliation run finished');
  return { runId, ...stats };
}

const retried = <T>(call: () => Promise<T>) => withApiRetries(call, API_RETRIES);

/**
 * A shipped row tells only that a status changed, dated by the label's time. Where it differs
 * from the stored state, `/api/track` supplies the carrier's own update time, so the event
 * gets the same dedup key a webhook for it had (or will have).
 */
async function reconcileShippedOrders(
  deps: ReconcileDeps,
  since: Date,
  stats: ReconcileStats,
): Promise<void> {
  const pages = paginate((page) =>
    retried(() => deps.client.listShippedOrders({ sinceLastUpdated: since, page })),
  );
  for await (const page of pages) {
    stats.pages += 1;
    const rows = page.orders.flatMap((row) => {
      const payload = shippedOrderToPayload(row);
      return payload ? [{ row, payload }] : [];
    });
    const stored = await findShipmentStatuses(
      deps.db,
      rows.map(({ payload }) => payload.tracking_number),
    );
    const changed = rows.filter(({ payload }) =>
      statusDiffers(stored, payload.tracking_number, payload.tracking_status, canonicalStatus),
    );
    const found: PolledTrackingPayload[] = [];
    for (const { row, payload } of changed) {
      const tracked = await trackPayloads(deps, payload.tracking_number, {
        orderReference: row.reference,
        starshipitOrderId: row.order_id,
      });
      found.push(...(tracked.length > 0 ? tracked : [payload]));
    }
    stats.eventsFound += await feedPolledPayloads(deps, found);
  }
}

/** Labels printed recently: a shipment tracksync has not heard of at all gets its Printed. */
async function reconcileRecentlyPrinted(deps: ReconcileDeps, stats: ReconcileStats) {
  const pages = paginate((page) => retried(() => deps.client.listRecentlyPrinted({ page })));
  for await (const page of pages) {
    stats.pages += 1;
    const payloads = page.orders.flatMap(printedShipmentToPayloads);
    const stored = await findShipmentStatuses(
      deps.db,
      payloads.map((payload) => payload.tracking_number),
    );
    const unknown = payloads.filter((payload) => !stored.has(payload.tracking_number));
    stats.eventsFound += await feedPolledPayloads(deps, unknown);
  }
}

/** Shipments not final and silent for STALE_AFTER are asked about one by one. */
async function pollSilentShipments(deps: ReconcileDeps, now: Date, stats: ReconcileStats) {
  const silent = await findStaleShipments(deps.db, {
    silentSince: new Date(now.getTime() - deps.staleAfterMs),
    limit: MAX_STALE_POLLS_PER_RUN,
  });
  for (const { trackingNumber } of silent) {
    const payloads = await trackPayloads(deps, trackingNumber, {});
    stats.eventsFound += await feedPolledPayloads(deps, payloads);
    await markShipmentsPolled(deps.db, [trackingNumber]);
    stats.shipmentsPolled += 1;
  }
}

async function trackPayloads(
  deps: ReconcileDeps,
  trackingNumber: string,
  known: Parameters<typeof trackResultToPayload>[1],
): Promise<PolledTrackingPayload[]> {
  let results: TrackResult[];
  try {
    results = await retried(() => deps.client.track({ trackingNumber }));
  } catch (err) {
    // Starshipit's answer for a tracking number it has no details for: news about this one
    // shipment, not a failure of the run. Thrown, it would fail every run that meets the
    // shipment and pin the cursor for good. As "nothing known", a shipped row's own status
    // stands and a silent shipment is marked polled.
    if (isApiError(err) && err.status === 404) return [];
    throw err;
  }
  return results.flatMap((result) => {
    const payload = trackResultToPayload(result, known);
    return payload ? [payload] : [];
  });
}
