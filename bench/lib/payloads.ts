import { dedupKey, parseTrackingPayload } from '@tracksync/domain';
import type { TrackingEventJob } from '@tracksync/queue';
import { createHmac, randomBytes } from 'node:crypto';

/** The webhook secret the ingress is started with in the bench. */
export const WEBHOOK_SECRET = `bench-${randomBytes(16).toString('hex')}`;

/** A Standard Webhooks secret for the worker's http adapter (the sink does not verify). */
export const SOURCE_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/**
 * One Starshipit webhook body shaped like the guide's example, with its own shipment, so
 * every request is a new event (a new BullMQ job, a new shipment row, a new delivery).
 */
export function webhookBody(trackingNumber: string, index: number): string {
  return JSON.stringify({
    order_number: `SO-${trackingNumber}`,
    carrier_name: 'Australia Post',
    carrier_service: '7B05',
    shipment_date: '2026-06-18T09:30:00Z',
    tracking_number: trackingNumber,
    tracking_status: 'Dispatched',
    last_updated_date: new Date(Date.UTC(2026, 5, 18, 9, 35) + index * 1000).toISOString(),
  });
}

/** The default scheme the ingress checks: HMAC-SHA256 of the raw body, hex. */
export function sign(body: string): string {
  return createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex');
}

/** What the ingress would enqueue for `webhookBody(trackingNumber, index)`. */
export function trackingEventJob(trackingNumber: string, index: number): TrackingEventJob {
  const payload = JSON.parse(webhookBody(trackingNumber, index)) as Record<string, unknown>;
  const parsed = parseTrackingPayload(payload, 'UTC');
  if (!parsed.ok) throw new Error(`bench payload rejected: ${JSON.stringify(parsed.issues)}`);
  return {
    eventId: dedupKey(parsed.event),
    source: 'webhook',
    receivedAt: new Date().toISOString(),
    event: parsed.event,
    payload,
  };
}
