import type { ShipmentState } from '@tracksync/domain';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/**
 * One row per state change to push to the source system (or per replay, match or retry asked
 * for). It is written in the same transaction as the event that caused it — an outbox — so a
 * crash between storing and enqueueing cannot lose a change. Each configured destination gets
 * its own row per change (`skipped` when its filter leaves the change out), so each has its
 * own status, attempts and order: `seq` orders the deliveries of a shipment to one
 * destination, and one waits only while an earlier one of the same shipment AND destination
 * is still pending.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    /** Sent as `webhook-id`: the same on every retry, so the source can drop repeats. */
    deliveryId: text('delivery_id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    trackingNumber: text('tracking_number').notNull(),
    /** The configured destination's name; `default` is the env-only single destination. */
    destination: text('destination').notNull().default('default'),
    eventId: text('event_id'),
    reason: text('reason', { enum: ['change', 'replay', 'match', 'unmatched_retry'] }).notNull(),
    state: jsonb('state').$type<ShipmentState>().notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'unmatched', 'failed', 'skipped'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    lastHttpStatus: integer('last_http_status'),
    /** When the causing event reached the ingress: the start of received→delivered latency. */
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    index('deliveries_pending_idx')
      .on(table.trackingNumber, table.destination, table.seq)
      .where(sql`${table.status} = 'pending'`),
    index('deliveries_failed_idx')
      .on(table.destination, table.seq)
      .where(sql`${table.status} = 'failed'`),
    index('deliveries_tracking_number_idx').on(table.trackingNumber),
  ],
);

/** Every call to the source system, whatever its outcome: the audit trail of deliveries. */
export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => deliveries.deliveryId),
    trackingNumber: text('tracking_number').notNull(),
    trackingStatus: text('tracking_status').notNull(),
    adapter: text('adapter').notNull(),
    attempt: integer('attempt').notNull(),
    outcome: text('outcome', {
      enum: ['applied', 'already_applied', 'not_found', 'retry', 'permanent'],
    }).notNull(),
    httpStatus: integer('http_status'),
    error: text('error'),
    retryAfterMs: bigint('retry_after_ms', { mode: 'number' }),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('delivery_attempts_delivery_id_idx').on(table.deliveryId)],
);
