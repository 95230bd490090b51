import { z } from 'zod';
import type { ShipmentUpdate } from '../source-adapter';
import { toWireBody, type WireBody } from '../http/transform';

/**
 * What a transformation is given: the §6 body's `data` (snake_case, the documented contract)
 * plus the change's delivery id, which stays the same across retries (use it as an
 * idempotency key if the API takes one).
 */
export type Change = WireBody['data'] & { readonly delivery_id: string };

/**
 * The request a transformation asks for. tracksync adds the rest: authentication, signing
 * when configured, the timeout, retries with backoff, Retry-After and ordering.
 */
export interface SourceRequest {
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object or array is sent as JSON; a string as is; absent, no body. */
  readonly body?: unknown;
}

/** The second argument of a transformation: its destination and its config `options`. */
export interface TransformContext {
  readonly destination: string;
  /** The destination's `transform_options` from the config file, `${ENV}` filled in. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** An operator's module default-exports one of these (it may be async). */
export type Transformation = (
  change: Change,
  context: TransformContext,
) => SourceRequest | Promise<SourceRequest>;

const sourceRequestSchema = z
  .strictObject({
    method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE', 'GET']),
    url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.unknown().optional(),
  })
  // Here rather than at sending, so a dry run refuses it just as a delivery would.
  .refine((request) => request.method !== 'GET' || request.body === undefined, {
    path: ['body'],
    error: 'a body with GET cannot be sent',
  });

export function changeOf(update: ShipmentUpdate, now: Date): Change {
  return { delivery_id: update.deliveryId, ...toWireBody(update, now).data };
}

/** Thrown when a transformation throws or asks for something tracksync cannot send. */
export class TransformationError extends Error {
  override readonly name = 'TransformationError';
}

/**
 * Runs the transformation and checks its answer. Either failure is the operator's code or
 * configuration, which no retry can fix: the caller makes it a permanent outcome.
 */
export async function buildRequest(
  transform: Transformation,
  change: Change,
  context: TransformContext,
): Promise<SourceRequest> {
  let produced: unknown;
  try {
    produced = await transform(change, context);
  } catch (err) {
    throw new TransformationError(`transformation threw: ${messageOf(err)}`);
  }
  const parsed = sourceRequestSchema.safeParse(produced);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : 'result';
    throw new TransformationError(
      `transformation returned a bad request: ${path}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The body's bytes and its content type, when the transformation did not name one. */
export function encodeBody(body: unknown): { text: string | undefined; type: string | undefined } {
  if (body === undefined || body === null) return { text: undefined, type: undefined };
  if (typeof body === 'string') return { text: body, type: 'text/plain; charset=utf-8' };
  return { text: JSON.stringify(body), type: 'application/json' };
}
