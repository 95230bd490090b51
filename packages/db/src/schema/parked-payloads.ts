import { sql } from 'drizzle-orm';
import { bigserial, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Authentic requests the ingress rejected, kept whole for inspection and replay. */
export const parkedPayloads = pgTable('parked_payloads', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** sha256 of the body: the same rejected body sent twice is parked once. */
  parkedId: text('parked_id').notNull().unique(),
  reason: text('reason', { enum: ['invalid_json', 'invalid_payload'] }).notNull(),
  body: text('body').notNull(),
  issues: jsonb('issues').$type<{ path: string; message: string }[]>().notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  storedAt: timestamp('stored_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
});
