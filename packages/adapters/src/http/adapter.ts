import type { SourceAdapter } from '../source-adapter';
import { outcomeForAnswer, outcomeForFailure } from './outcome';
import { readSnippet } from './response-body';
import { createSigner } from './signing';
import { toWireBody } from './transform';

export interface HttpAdapterOptions {
  readonly url: string;
  /** Standard Webhooks secret, `whsec_<base64>`. */
  readonly secret: string;
  /** Bounds the whole exchange, headers and body, so a silent receiver cannot hold a job. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

/**
 * The generic adapter (§6): POSTs the state as JSON, signed per Standard Webhooks, to one URL.
 * Every attempt is signed afresh (receivers reject old timestamps) under the same webhook-id.
 */
export function createHttpAdapter(options: HttpAdapterOptions): SourceAdapter {
  const url = checkedUrl(options.url);
  const sign = createSigner(options.secret);
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new Error(`timeoutMs must be a positive integer, got ${String(options.timeoutMs)}`);
  }
  const send = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());

  return {
    name: 'http',
    async apply(update) {
      const at = now();
      // Signed exactly as sent: the signature covers these bytes, not a re-serialisation.
      const body = JSON.stringify(toWireBody(update, at));
      const signal = AbortSignal.timeout(options.timeoutMs);
      let response: Response;
      try {
        response = await send(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'tracksync',
            ...sign(update.deliveryId, at, body),
          },
          body,
          signal,
          redirect: 'manual',
        });
      } catch (error) {
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
