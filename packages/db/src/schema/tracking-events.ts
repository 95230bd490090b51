import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The append-only event log: one row per distinct tracking update, whatever its source.
 * `event_id` (the dedup key) is unique, so the database, not Redis retention, decides what is
 * a repeat. The table only grows; `received_at` is indexed so old rows can be pruned by time.
 */
export const trackingEvents = pgTable(
  'tracking_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventId: text('event_id').notNull().unique(),
    source: text('source', { enum: ['webhook', 'poll', 'replay'] }).notNull(),
    orderNumber: text('order_number').notNull(),
    trackingNumber: text('tracking_number').notNull(),
    trackingStatus: text('tracking_status').notNull(),
    statusKnown: boolean('status_known').notNull(),
    /** Canonical UTC instant as text: keeps Starshipit's sub-microsecond digits for ordering. */
    lastUpdatedDate: text('last_updated_date').notNull(),
    lastUpdatedAt: timestamp('last_updated_at', { withTimezone: true }).notNull(),
    shipmentDate: text('shipment_date'),
    carrierName: text('carrier_name'),
    carrierService: text('carrier_service'),
    orderReference: text('order_reference'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    result: text('result', { enum: ['applied', 'merged', 'unchanged', 'stale'] }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    storedAt: timestamp('stored_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [
    index('tracking_events_tracking_number_idx').on(table.trackingNumber),
    index('tracking_events_order_number_idx').on(table.orderNumber),
    index('tracking_events_received_at_idx').on(table.receivedAt),
  ],
);
