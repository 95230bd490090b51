import { FINAL_STATUSES } from '@tracksync/domain';
import { and, count, desc, eq, inArray, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { reconcileRuns, shipments, syncCursors } from '../schema';

export type ReconcileRunRow = typeof reconcileRuns.$inferSelect;
export type ReconcileStats = Pick<
  ReconcileRunRow,
  'requests' | 'pages' | 'eventsFound' | 'shipmentsPolled' | 'unmatchedRetried' | 'errors'
>;

/**
 * `startedAt` is the instant the cursor moves to if the run succeeds: stored as given (not the
 * database's now()), so the runs list shows exactly where the next window will start.
 */
export async function startReconcileRun(
  db: Database,
  run: Pick<ReconcileRunRow, 'trigger' | 'windowStart' | 'startedAt'>,
): Promise<number> {
  return db.transaction(async (tx) => {
    // Runs never overlap (the queue runs one at a time), so a row still `running` belongs to
    // a process that died mid-run: close it, so the runs list does not show it for ever.
    await tx
      .update(reconcileRuns)
      .set({
        status: 'failed',
        finishedAt: run.startedAt,
        errors: ['interrupted: the worker stopped mid-run'],
      })
      .where(eq(reconcileRuns.status, 'running'));
    const [row] = await tx.insert(reconcileRuns).values(run).returning({ id: reconcileRuns.id });
    if (!row) throw new Error('insert returned no row');
    return row.id;
  });
}

export async function finishReconcileRun(
  db: Database,
  id: number,
  stats: ReconcileStats,
): Promise<void> {
  await db
    .update(reconcileRuns)
    .set({
      ...stats,
      status: stats.errors.length === 0 ? 'succeeded' : 'failed',
      finishedAt: new Date(),
    })
    .where(eq(reconcileRuns.id, id));
}

export async function listReconcileRuns(
  db: Database,
  limit: number,
  offset = 0,
): Promise<ReconcileRunRow[]> {
  return db
    .select()
    .from(reconcileRuns)
    .orderBy(desc(reconcileRuns.id))
    .limit(limit)
    .offset(offset);
}

export async function readCursor(db: Database, name: string): Promise<Date | null> {
  const [row] = await db.select().from(syncCursors).where(eq(syncCursors.name, name));
  return row?.position ?? null;
}

/** Moves a cursor forward (never back: a slow run finishing late cannot rewind it). */
export async function advanceCursor(db: Database, name: string, position: Date): Promise<void> {
  await db
    .insert(syncCursors)
    .values({ name, position })
    .onConflictDoUpdate({
      target: syncCursors.name,
      set: {
        position: sql`greatest(${syncCursors.position}, excluded.position)`,
        updatedAt: new Date(),
      },
    });
}

/**
 * Shipments not in a final state that neither Starshipit nor a poll has mentioned since
 * `silentSince`: the ones a lost webhook may have left behind. Oldest first.
 */
export async function findStaleShipments(
  db: Database,
  { silentSince, limit }: { silentSince: Date; limit: number },
): Promise<{ trackingNumber: string; orderNumber: string }[]> {
  return db
    .select({ trackingNumber: shipments.trackingNumber, orderNumber: shipments.orderNumber })
    .from(shipments)
    .where(
      and(
        notInArray(shipments.trackingStatus, [...FINAL_STATUSES]),
        lt(shipments.lastUpdatedAt, silentSince),
        or(isNull(shipments.lastPolledAt), lt(shipments.lastPolledAt, silentSince)),
      ),
    )
    .orderBy(shipments.lastUpdatedAt)
    .limit(limit);
}

/** How many non-final shipments have been silent since `silentSince` (for the metric). */
export async function countStaleShipments(db: Database, silentSince: Date): Promise<number> {
  const [row] = await db
    .select({ stale: count() })
    .from(shipments)
    .where(
      and(
        notInArray(shipments.trackingStatus, [...FINAL_STATUSES]),
        lt(shipments.lastUpdatedAt, silentSince),
      ),
    );
  return row?.stale ?? 0;
}

export async function markShipmentsPolled(db: Database, trackingNumbers: string[]): Promise<void> {
  if (trackingNumbers.length === 0) return;
  await db
    .update(shipments)
    .set({ lastPolledAt: new Date() })
    .where(inArray(shipments.trackingNumber, trackingNumbers));
}

/** Current status and last update per tracking number, to see what a poll would change. */
export async function findShipmentStatuses(
  db: Database,
  trackingNumbers: string[],
): Promise<Map<string, { trackingStatus: string; lastUpdatedDate: string }>> {
  if (trackingNumbers.length === 0) return new Map();
  const rows = await db
    .select({
      trackingNumber: shipments.trackingNumber,
      trackingStatus: shipments.trackingStatus,
      lastUpdatedDate: shipments.lastUpdatedDate,
    })
    .from(shipments)
    .where(inArray(shipments.trackingNumber, trackingNumbers));
  return new Map(rows.map(({ trackingNumber, ...status }) => [trackingNumber, status]));
}
