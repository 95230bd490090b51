import type { PayloadIssue } from '@tracksync/domain';
import type { Logger } from '@tracksync/runtime';
import type { ServerResponse } from 'node:http';
import type { IngressMetrics, RejectionReason } from '../metrics';
import { safeBody } from '../safe-body';
import { answerWebhook } from './answer';

export interface WebhookContext {
  readonly log: Logger;
  readonly metrics: IngressMetrics;
  /** Redacted from any body that reaches a log line. */
  readonly secrets: readonly string[];
}

export interface Rejection {
  readonly reason: RejectionReason;
  /** The raw body, when it was read; logged only in its safe form. */
  readonly body?: Buffer;
  readonly issues?: readonly PayloadIssue[];
  /** Extra fields for the log line, such as the Redis error or the parking outcome. */
  readonly details?: Readonly<Record<string, unknown>>;
}

const STATUS_BY_REASON: Readonly<Record<RejectionReason, number>> = {
  invalid_json: 400,
  unreadable_body: 400,
  invalid_signature: 401,
  payload_too_large: 413,
  unsupported_content_encoding: 415,
  invalid_payload: 422,
  queue_unavailable: 503,
};

/**
 * Starshipit documents no retry schedule; a few seconds is long enough for a Redis failover or
 * restart and short enough that a sender honouring it loses little time.
 */
export const RETRY_AFTER_SECONDS = 5;
const RETRY_AFTER = { 'Retry-After': String(RETRY_AFTER_SECONDS) };

/** Answers a webhook with its error, logs it once and counts it: nothing is rejected silently. */
export function rejectWebhook(
  res: ServerResponse,
  context: WebhookContext,
  rejection: Rejection,
): void {
  const { reason, body, issues, details } = rejection;
  const status = STATUS_BY_REASON[reason];
  context.metrics.rejected.inc({ reason });
  const fields = {
    reason,
    status,
    ...(body ? { body: safeBody(body, context.secrets) } : {}),
    ...(issues ? { issues } : {}),
    ...details,
  };
  if (status >= 500) context.log.error(fields, 'webhook rejected');
  else context.log.warn(fields, 'webhook rejected');
  const answer =
    reason === 'invalid_payload' ? { error: reason, issues: issues ?? [] } : { error: reason };
  answerWebhook(
    res,
    context.metrics,
    status,
    JSON.stringify(answer),
    reason === 'queue_unavailable' ? RETRY_AFTER : {},
  );
}
