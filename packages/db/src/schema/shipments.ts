import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The projection: each shipment's current state, derived from its events. */
export const shipments = pgTable(
  'shipments',
  {
    trackingNumber: text('tracking_number').primaryKey(),
    orderNumber: text('order_number').notNull(),
    orderReference: text('order_reference'),
    carrierName: text('carrier_name'),
    carrierService: text('carrier_service'),
    shipmentDate: text('shipment_date'),
    trackingStatus: text('tracking_status').notNull(),
    lastUpdatedDate: text('last_updated_date').notNull(),
    lastUpdatedAt: timestamp('last_updated_at', { withTimezone: true }).notNull(),
    lastEventId: text('last_event_id').notNull(),
    /**
     * Bumped by every event recorded for the shipment, whether or not it changed the state:
     * the compare-and-set token that lets an event be recorded in one statement without a
     * lock (see recordTrackingEvent). Other writers (unmatched, polled, matched) leave it be.
     */
    revision: integer('revision').notNull().default(0),
    /** The order's id in the source system, when an operator matched it by hand. */
    sourceOrderId: text('source_order_id'),
    /** Set while the source system says it has no such order; cleared by a delivery. */
    unmatchedSince: timestamp('unmatched_since', { withTimezone: true }),
    /** When reconciliation last asked Starshipit's tracking endpoint about this shipment. */
    lastPolledAt: timestamp('last_polled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [
    index('shipments_order_number_idx').on(table.orderNumber),
    index('shipments_status_updated_idx').on(table.trackingStatus, table.lastUpdatedAt),
    index('shipments_unmatched_idx')
      .on(table.unmatchedSince)
      .where(sql`${table.unmatchedSince} is not null`),
  ],
);
