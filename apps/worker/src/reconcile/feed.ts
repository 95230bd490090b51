import { findShipmentStatuses, type Database } from '@tracksync/db';
import { compareInstants, dedupKey, parseTrackingPayload } from '@tracksync/domain';
import { enqueue, type Queues } from '@tracksync/queue';
import type { PolledTrackingPayload } from '@tracksync/starshipit';
import type { Logger } from 'pino';

export interface FeedDeps {
  readonly db: Database;
  readonly queues: Queues;
  readonly log: Logger;
  readonly timeZone: string;
}

/**
 * Sends polled updates down the webhook's own path: same parsing, same dedup key, source
 * `poll`. An update that matches the stored state is dropped here to spare the queue; any
 * other overlap with a webhook is caught by the dedup key. Returns how many were enqueued.
 */
export async function feedPolledPayloads(
  deps: FeedDeps,
  payloads: readonly PolledTrackingPayload[],
): Promise<number> {
  const stored = await findShipmentStatuses(
    deps.db,
    payloads.map((payload) => payload.tracking_number),
  );
  let enqueued = 0;
  for (const payload of payloads) {
    const parsed = parseTrackingPayload(payload, deps.timeZone);
    if (!parsed.ok) {
      deps.log.warn({ payload, issues: parsed.issues }, 'polled update skipped: invalid');
      continue;
    }
    const { event } = parsed;
    const current = stored.get(event.trackingNumber);
    if (
      current?.trackingStatus === event.trackingStatus &&
      compareInstants(current.lastUpdatedDate, event.lastUpdatedDate) === 0
    ) {
      continue;
    }
    await enqueue(deps.queues, 'tracking-event', {
      eventId: dedupKey(event),
      source: 'poll',
      receivedAt: new Date().toISOString(),
      event,
      payload: { ...payload },
    });
    enqueued += 1;
  }
  return enqueued;
}

/** Whether a polled status says something other than what is stored for the shipment. */
export function statusDiffers(
  stored: ReadonlyMap<string, { trackingStatus: string }>,
  trackingNumber: string,
  polledStatus: string,
  canonical: (status: string) => string,
): boolean {
  return stored.get(trackingNumber)?.trackingStatus !== canonical(polledStatus);
}
