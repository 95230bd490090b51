import type { PayloadIssue } from '@tracksync/domain';
import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';

/** Operators page with `limit`; 500 rows keeps one answer well under a few megabytes. */
export const limitSchema = z.coerce.number().int().min(1).max(500).default(50);

/** Parsed input, or null after answering 400 with the reasons. */
export function parseOrReject<S extends z.ZodType>(
  schema: S,
  input: unknown,
  res: Response,
): z.infer<S> | null {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues: PayloadIssue[] = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  res.status(400).json({ error: 'invalid_request', issues });
  return null;
}

export function notFound(res: Response, message: string): void {
  res.status(404).json({ error: 'not_found', message });
}

interface BodyReadError {
  readonly type?: unknown;
  readonly status?: unknown;
}

/** body-parser's failures as the API's own answers; anything else is the app's 500. */
export const bodyErrors: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  const { type, status } = (err ?? {}) as BodyReadError;
  if (type === 'entity.parse.failed') {
    res.status(400).json({ error: 'invalid_json' });
  } else if (type === 'entity.too.large') {
    res.status(413).json({ error: 'payload_too_large' });
  } else if (typeof status === 'number' && status >= 400 && status < 500) {
    // Aborted uploads, a length that does not match Content-Length, an unknown charset.
    res.status(status).json({ error: 'bad_request' });
  } else {
    next(err);
  }
};
