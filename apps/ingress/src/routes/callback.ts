import {
  dedupKey,
  parseTrackingPayload,
  type PayloadIssue,
  type TrackingEvent,
} from '@tracksync/domain';
import type { Queues } from '@tracksync/queue';
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngressConfig } from '../config';
import type { ParkReason } from '../metrics';
import { createBodyErrorHandler } from '../middleware/errors';
import { SIGNATURE_HEADER, verifySignature } from '../signature';
import { answerWebhook } from '../webhook/answer';
import { createTrackingEventBatcher } from '../webhook/enqueue-batch';
import { enqueueWithin } from '../webhook/enqueue-within';
import { plainBodyLength, readPlainBody } from '../webhook/plain-body';
import { isJsonObject, readJson, type JsonObject } from '../webhook/read-body';
import { rejectWebhook, type WebhookContext } from '../webhook/reject';

export interface CallbackDeps extends WebhookContext {
  readonly config: IngressConfig;
  readonly queues: Queues;
}

interface HandlerDeps extends CallbackDeps {
  readonly enqueueEvent: ReturnType<typeof createTrackingEventBatcher>;
}

interface Delivery {
  readonly body: Buffer;
  readonly receivedAt: string;
}

/**
 * The handlers of `POST /callback`. The common body — plain, with a Content-Length within
 * MAX_BODY_BYTES — is read here directly, skipping body-parser's per-request work (content-type
 * and charset parsing, its stream plumbing); anything else falls through to express.raw, which
 * inflates compressed bodies and turns oversized or broken ones into the same answers.
 */
export function createCallbackRoute(deps: CallbackDeps): (RequestHandler | ErrorRequestHandler)[] {
  const handle = createWebhookHandler(deps);
  const limit = deps.config.MAX_BODY_BYTES;
  const readPlain: RequestHandler = (req, res, next) => {
    const length = plainBodyLength(req, limit);
    if (length === null) {
      next();
      return;
    }
    readPlainBody(req, length, (body) => {
      if (body) handle(req, res, body).catch(next);
      else rejectWebhook(res, deps, { reason: 'unreadable_body', details: { length } });
    });
  };
  const handleRead: RequestHandler = (req, res) => handle(req, res, rawBodyOf(req));
  return [
    readPlain,
    // Raw bytes for every content type: the signature covers the bytes as sent, and
    // Starshipit's content type is observed, not documented.
    express.raw({ type: () => true, limit }),
    handleRead,
    createBodyErrorHandler(deps),
  ];
}

/**
 * Starshipit's webhook: signature on the raw bytes first (so nothing unauthenticated is even
 * parsed), then JSON, then the payload schema, then one idempotent enqueue under the dedup key.
 */
function createWebhookHandler(
  callbackDeps: CallbackDeps,
): (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> {
  const deps: HandlerDeps = {
    ...callbackDeps,
    enqueueEvent: createTrackingEventBatcher(callbackDeps.queues),
  };
  const secrets = deps.config.STARSHIPIT_WEBHOOK_SECRET;
  return async (req, res, body) => {
    const delivery: Delivery = { body, receivedAt: new Date().toISOString() };
    // Node joins a repeated custom header into one string; only set-cookie comes as an array.
    const signature = req.headers[SIGNATURE_HEADER];
    const header = typeof signature === 'string' ? signature : undefined;
    if (secrets.length > 0 && !verifySignature(body, header, secrets)) {
      // Not parked: an unauthenticated body is nobody's data to keep.
      rejectWebhook(res, deps, { reason: 'invalid_signature', body });
      return;
    }
    const json = readJson(body);
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
  res: ServerResponse,
  deps: HandlerDeps,
  delivery: Delivery,
  event: TrackingEvent,
  payload: JsonObject,
): Promise<void> {
  const eventId = dedupKey(event);
  const outcome = await deps.enqueueEvent({
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
  // The id is hex, so the answer needs no JSON escaping.
  answerWebhook(res, deps.metrics, 200, `{"status":"accepted","event_id":"${eventId}"}`);
}

/**
 * An authentic body tracksync cannot use is kept whole so it can be fixed and replayed. When
 * even that fails the answer is 503, not 400/422: the sender retries and nothing is lost.
 */
async function parkThenReject(
  res: ServerResponse,
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
