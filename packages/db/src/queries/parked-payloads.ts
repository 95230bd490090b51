import { desc } from 'drizzle-orm';
import type { Database } from '../client';
import { parkedPayloads } from '../schema';

export type NewParkedPayload = typeof parkedPayloads.$inferInsert;

/** Keeps a rejected body; the same body parked again is a no-op. Returns whether it was new. */
export async function parkPayload(db: Database, parked: NewParkedPayload): Promise<boolean> {
  const inserted = await db
    .insert(parkedPayloads)
    .values(parked)
    .onConflictDoNothing({ target: parkedPayloads.parkedId })
    .returning({ id: parkedPayloads.id });
  return inserted.length > 0;
}

export async function listParkedPayloads(db: Database, limit: number, offset = 0) {
  return db
    .select()
    .from(parkedPayloads)
    .orderBy(desc(parkedPayloads.id))
    .limit(limit)
    .offset(offset);
}
