import type { Authenticator } from '../auth/auth';
import { TokenError } from '../auth/oauth2';
import type { DeliveryOutcome, SourceAdapter, ShipmentUpdate } from '../source-adapter';
import {
  buildRequest,
  changeOf,
  encodeBody,
  TransformationError,
  type SourceRequest,
  type Transformation,
} from '../transform/request';
import { outcomeForAnswer, outcomeForFailure } from './outcome';
import { readSnippet } from './response-body';
import { createSigner } from './signing';
import { toWireBody } from './transform';

export interface HttpAdapterOptions {
  /** The destination's name, for attempts and logs; `http` by default. */
  readonly name?: string;
  /** Where the §6 body goes; required unless a transformation names each request's URL. */
  readonly url?: string;
  /** Standard Webhooks secret, `whsec_<base64>`: every request is signed when it is set. */
  readonly secret?: string;
  /** Bounds the whole exchange, headers and body, so a silent receiver cannot hold a job. */
  readonly timeoutMs: number;
  /** Turns a change into the request the source system's own API wants. */
  readonly transform?: Transformation;
  /** What the transformation gets as its second argument's `options`. */
  readonly transformOptions?: Readonly<Record<string, unknown>>;
  readonly auth?: Authenticator;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

/**
 * The generic adapter (§6). Without a transformation it POSTs the state as JSON to one URL;
 * with one, it sends whatever request the transformation built. Either way tracksync keeps
 * signing (when a secret is set), authentication, the timeout and the mapping of answers.
 * Every attempt is signed afresh (receivers reject old timestamps) under the same webhook-id.
 */
export function createHttpAdapter(options: HttpAdapterOptions): SourceAdapter {
  const url = options.url === undefined ? undefined : checkedUrl(options.url).href;
  if (!url && !options.transform) throw new Error('the http adapter needs a URL or a transform');
  const sign = options.secret === undefined ? null : createSigner(options.secret);
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new Error(`timeoutMs must be a positive integer, got ${String(options.timeoutMs)}`);
  }
  const send = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());

  /** The request this change makes; the dry-run command shows it without sending it. */
  async function requestFor(update: ShipmentUpdate, at: Date): Promise<SourceRequest> {
    if (options.transform) {
      const context = {
        destination: options.name ?? 'http',
        options: options.transformOptions ?? {},
      };
      return buildRequest(options.transform, changeOf(update, at), context);
    }
    return { method: 'POST', url: url ?? '', body: toWireBody(update, at) };
  }

  async function exchange(update: ShipmentUpdate, request: SourceRequest, at: Date) {
    const { text, type } = encodeBody(request.body);
    const headers: Record<string, string> = {
      'user-agent': 'tracksync',
      ...(type ? { 'content-type': type } : {}),
      ...lowerCased(request.headers),
      // Signed exactly as sent: the signature covers these bytes, not a re-serialisation.
      ...(sign ? sign(update.deliveryId, at, text ?? '') : {}),
      ...(options.auth ? await options.auth.headers() : {}),
    };
    return send(request.url, {
      method: request.method,
      headers,
      body: text,
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'manual',
    });
  }

  return {
    name: options.name ?? 'http',
    preview: (update) => requestFor(update, now()),
    async apply(update): Promise<DeliveryOutcome> {
      const at = now();
      let request: SourceRequest;
      try {
        request = await requestFor(update, at);
      } catch (err) {
        if (err instanceof TransformationError) return { kind: 'permanent', reason: err.message };
        throw err;
      }
      let response: Response;
      try {
        response = await exchange(update, request, at);
        // A cached token the API stopped accepting (revoked, rotated): one fresh try.
        if (response.status === 401 && options.auth?.invalidate) {
          await readSnippet(response);
          options.auth.invalidate();
          response = await exchange(update, request, at);
        }
      } catch (error) {
        if (error instanceof TokenError) return { kind: 'retry', reason: error.message };
        return outcomeForFailure(error);
      }
      const snippet = await readSnippet(response);
      return outcomeForAnswer(
        { status: response.status, retryAfter: response.headers.get('retry-after'), snippet },
        now(),
      );
    },
  };
}

function lowerCased(headers: Readonly<Record<string, string>> | undefined) {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

function checkedUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The URL is not echoed: it may carry credentials.
    throw new Error('source URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`source URL must be http or https, got ${url.protocol}`);
  }
  return url;
}
