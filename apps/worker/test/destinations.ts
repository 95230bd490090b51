import type { Database } from '@tracksync/db';
import { enqueue, type Queues } from '@tracksync/queue';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackingEventJob, waitFor } from './harness';

/** The operator modules tests load: transformations and adapter plugins. */
export const DESTINATION_FIXTURES = fileURLToPath(
  new URL('fixtures/destinations/', import.meta.url),
);

export function destinationFixture(name: string): string {
  return join(DESTINATION_FIXTURES, name);
}

/** Writes `yaml` as a destinations file in a fresh temporary folder; returns its path. */
export async function writeDestinationsFile(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracksync-destinations-'));
  const path = join(dir, 'destinations.yaml');
  await writeFile(path, yaml);
  return path;
}

/** A destination's rows by status, from the deliveries table. */
export async function statusCounts(db: Database): Promise<Record<string, Record<string, number>>> {
  const { rows } = await db.$client.query<{ destination: string; status: string; n: number }>(
    'select destination, status, count(*)::int as n from deliveries group by 1, 2 order by 1, 2',
  );
  const counts: Record<string, Record<string, number>> = {};
  for (const row of rows) (counts[row.destination] ??= {})[row.status] = row.n;
  return counts;
}

/** Enqueues one tracking event the way the ingress does; returns its job id. */
export async function sendEvent(
  queues: Queues,
  fields: { order: string; tracking: string; status: string; at: string; carrier?: string },
): Promise<string> {
  return enqueue(
    queues,
    'tracking-event',
    trackingEventJob({
      order_number: fields.order,
      tracking_number: fields.tracking,
      tracking_status: fields.status,
      last_updated_date: fields.at,
      carrier_name: fields.carrier ?? 'NZ Post',
      carrier_service: 'CPOLTPA5',
    }),
  );
}

/**
 * Waits until at least `minimumRows` deliveries exist (so events still on their way through
 * ingest count) and none is pending: every destination has settled every change.
 */
export async function waitUntilSettled(
  db: Database,
  timeoutMs = 30_000,
  minimumRows = 1,
): Promise<void> {
  await waitFor(
    'every delivery to settle',
    async () => {
      const { rows } = await db.$client.query<{ all: number; pending: number }>(
        `select count(*)::int as all, count(*) filter (where status = 'pending')::int as pending
        from deliveries`,
      );
      return (rows[0]?.all ?? 0) >= minimumRows && rows[0]?.pending === 0;
    },
    timeoutMs,
  );
}
