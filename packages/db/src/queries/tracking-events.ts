import { desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { trackingEvents } from '../schema';

export interface EventFilter {
  readonly orderNumber?: string;
  readonly trackingNumber?: string;
  readonly limit: number;
}

/** Stored events, newest first. */
export async function listTrackingEvents(db: Database, filter: EventFilter) {
  const conditions = [
    filter.orderNumber === undefined
      ? undefined
      : eq(trackingEvents.orderNumber, filter.orderNumber),
    filter.trackingNumber === undefined
      ? undefined
      : eq(trackingEvents.trackingNumber, filter.trackingNumber),
  ].filter((condition) => condition !== undefined);
  return db
    .select()
    .from(trackingEvents)
    .where(conditions.length > 0 ? sql.join(conditions, sql` and `) : undefined)
    .orderBy(desc(trackingEvents.lastUpdatedAt), desc(trackingEvents.id))
    .limit(filter.limit);
}
