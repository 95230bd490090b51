import { sql } from 'drizzle-orm';
import { bigserial, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One row per reconciliation run: what it asked Starshipit and what it found. */
export const reconcileRuns = pgTable('reconcile_runs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  trigger: text('trigger', { enum: ['schedule', 'manual'] }).notNull(),
  status: text('status', { enum: ['running', 'succeeded', 'failed'] })
    .notNull()
    .default('running'),
  /** The shipped-orders window asked for: `since_last_updated` (cursor minus overlap). */
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  startedAt: timestamp('started_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  requests: integer('requests').notNull().default(0),
  pages: integer('pages').notNull().default(0),
  eventsFound: integer('events_found').notNull().default(0),
  shipmentsPolled: integer('shipments_polled').notNull().default(0),
  unmatchedRetried: integer('unmatched_retried').notNull().default(0),
  errors: jsonb('errors').$type<string[]>().notNull().default([]),
});

/**
 * Named positions that survive restarts. `shipped` is where the next run's shipped-orders
 * window starts; it moves only when a run succeeds, so a failed run is caught up by the next.
 */
export const syncCursors = pgTable('sync_cursors', {
  name: text('name').primaryKey(),
  position: timestamp('position', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
});
