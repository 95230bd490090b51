import type { ServerResponse } from 'node:http';
import type { IngressMetrics } from '../metrics';

/** The webhook's path, and its `route` label in the request counter. */
export const WEBHOOK_ROUTE = '/callback';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Sends a webhook answer serialised by the caller and counts it. The webhook route answers
 * through Node directly because it sits ahead of the count-requests middleware and because
 * res.json's extras (a content-type lookup, an ETag hash of every body) are measurable at
 * thousands of requests a second and worth nothing to a webhook sender.
 */
export function answerWebhook(
  res: ServerResponse,
  metrics: IngressMetrics,
  status: number,
  json: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  metrics.requests.inc({ route: WEBHOOK_ROUTE, status: String(status) });
  res
    .writeHead(status, {
      ...extraHeaders,
      'Content-Type': JSON_CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(json),
    })
    .end(json);
}
