import type { Logger } from '@tracksync/runtime';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { WEBHOOK_ROUTE } from '../webhook/answer';
import { rejectWebhook, type WebhookContext } from '../webhook/reject';

interface BodyReadError {
  readonly type?: unknown;
  readonly status?: unknown;
  readonly limit?: unknown;
  readonly length?: unknown;
}

function statusOf(err: unknown): number | undefined {
  const status = (err as BodyReadError | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Turns body-parser's failures on the webhook route into the webhook's own answers. The body
 * was never read whole here, so there is nothing to log of it but its declared size.
 */
export function createBodyErrorHandler(context: WebhookContext): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const { type, limit, length } = (err ?? {}) as BodyReadError;
    const status = statusOf(err);
    const details = { limit, length, contentEncoding: req.get('content-encoding') };
    if (type === 'entity.too.large') {
      rejectWebhook(res, context, { reason: 'payload_too_large', details });
    } else if (type === 'encoding.unsupported') {
      rejectWebhook(res, context, { reason: 'unsupported_content_encoding', details });
    } else if (status !== undefined && status >= 400 && status < 500) {
      // Aborted uploads, a length that does not match Content-Length, corrupt gzip.
      const cause = err instanceof Error ? err.message : undefined;
      rejectWebhook(res, context, { reason: 'unreadable_body', details: { ...details, cause } });
    } else {
      // The last-resort handler answers (500); the route sits ahead of count-requests, so the
      // answer is counted here.
      res.once('finish', () => {
        context.metrics.requests.inc({ route: WEBHOOK_ROUTE, status: String(res.statusCode) });
      });
      next(err);
    }
  };
}

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not_found' });
};

/** Last resort: the error is logged whole, the client gets a code and never a stack trace. */
export function createErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const status = statusOf(err);
    if (status !== undefined && status >= 400 && status < 500) {
      res.status(status).json({ error: 'bad_request' });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      next(err);
      return;
    }
    res.status(500).json({ error: 'internal_error' });
  };
}
