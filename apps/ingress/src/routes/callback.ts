import {
  dedupKey,
  parseTrackingPayload,
  type PayloadIssue,
  type TrackingEvent,
} from '@tracksync/domain';
import type { Queues } from '@tracksync/queue';
import type { Request, RequestHandler, Response } from 'express';
import type { IngressConfig } from '../config';
import type { ParkReason } from '../metrics';
import { SIGNATURE_HEADER, verifySignature } from '../signature';
import { enqueueWithin } from '../webhook/enqueue-within';
import { isJsonObject, readJson, type JsonObject } from '../webhook/read-body';
import { rejectWebhook, type WebhookContext } from '../webhook/reject';

export interface CallbackDeps extends WebhookContext {
  readonly config: IngressConfig;
  readonly queues: Queues;
}

interface Delivery {
  readonly body: Buffer;
  readonly receivedAt: string;
}

/**
 * Starshipit's webhook: signature on the raw bytes first (so nothing unauthenticated is even
 * parsed), then JSON, then the payload schema, then one idempotent enqueue under the dedup key.
 */
export function createCallbackHandler(deps: CallbackDeps): RequestHandler {
  const secrets = deps.config.STARSHIPIT_WEBHOOK_SECRET;
  return async (req, res) => {
    const delivery: Delivery = { body: rawBodyOf(req), receivedAt: new Date().toISOString() };
    if (secrets.length > 0 && !verifySignature(delivery.body, req.get(SIGNATURE_HEADER), secrets)) {
      // Not parked: an unauthenticated body is nobody's data to keep.
      rejectWebhook(res, deps, { reason: 'invalid_signature', body: delivery.body });
      return;
    }
    const json = readJson(delivery.body);
    if (!json.ok) {
      await parkThenReject(res, deps, delivery, 'invalid_json', json.issues);
      return;
    }
    const parsed = parseTrackingPayload(json.value, deps.config.STARSHIPIT_TIMEZONE);
    if (!parsed.ok || !isJsonObject(json.value)) {
      const issues = parsed.ok
        ? [{ path: '(root)', message: 'must be a JSON object' }]
        : parsed.issues;
      await parkThenReject(res, deps, delivery, 'invalid_payload', issues);
      return;
    }
    await acceptEvent(res, deps, delivery, parsed.event, json.value);
  };
}

/** express.raw leaves the body unset when a request has none; that is an empty body. */
function rawBodyOf(req: Request): Buffer {
  const body: unknown = req.body;
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

async function acceptEvent(
  res: Response,
  deps: CallbackDeps,
  delivery: Delivery,
  event: TrackingEvent,
  payload: JsonObject,
): Promise<void> {
  const eventId = dedupKey(event);
  const outcome = await enqueueWithin(deps.queues, 'tracking-event', {
    eventId,
    source: 'webhook',
    receivedAt: delivery.receivedAt,
    event,
    payload,
  });
  if (!outcome.ok) {
    rejectWebhook(res, deps, {
      reason: 'queue_unavailable',
      body: delivery.body,
      details: { err: outcome.error, eventId },
    });
    return;
  }
  deps.metrics.accepted.inc({ tracking_status: event.statusKnown ? 'known' : 'unknown' });
  const fields = {
    eventId,
    orderNumber: event.orderNumber,
    trackingNumber: event.trackingNumber,
    trackingStatus: event.trackingStatus,
  };
  // Starshipit adds statuses over time: keep the event, but tell someone to teach tracksync.
  if (event.statusKnown) deps.log.debug(fields, 'webhook accepted');
  else deps.log.warn(fields, 'webhook accepted with an unknown tracking status');
  res.status(200).json({ status: 'accepted', event_id: eventId });
}

/**
 * An authentic body tracksync cannot use is kept whole so it can be fixed and replayed. When
 * even that fails the answer is 503, not 400/422: the sender retries and nothing is lost.
 */
async function parkThenReject(
  res: Response,
  deps: CallbackDeps,
  delivery: Delivery,
  reason: ParkReason,
  issues: readonly PayloadIssue[],
): Promise<void> {
  const outcome = await enqueueWithin(deps.queues, 'parked-payload', {
    reason,
    body: delivery.body.toString('utf8'),
    issues: [...issues],
    receivedAt: delivery.receivedAt,
  });
  if (!outcome.ok) {
    rejectWebhook(res, deps, {
      reason: 'queue_unavailable',
      body: delivery.body,
      details: { err: outcome.error, rejectedAs: reason, parked: false },
    });
    return;
  }
  deps.metrics.parked.inc({ reason });
  rejectWebhook(res, deps, {
    reason,
    body: delivery.body,
    issues,
    details: { parked: true, parkedJobId: outcome.jobId },
  });
}
