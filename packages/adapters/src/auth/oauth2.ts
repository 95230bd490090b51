import { z } from 'zod';
import type { Authenticator } from './auth';

export interface ClientCredentialsConfig {
  readonly token_url: string;
  readonly client_id: string;
  readonly client_secret: string;
  readonly scope?: string | undefined;
  readonly audience?: string | undefined;
}

/** Refreshed this long before it expires, so a token never dies on its way to the API. */
const EXPIRY_MARGIN_MS = 30_000;
/** For a token endpoint that does not say how long its token lives. */
const DEFAULT_LIFETIME_S = 300;

const tokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

/** The token endpoint said no, or could not be reached: retry the delivery later. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): one token per destination and process, cached
 * until shortly before `expires_in`; concurrent deliveries share one fetch of it. The client
 * authenticates with HTTP Basic (§2.3.1, which every server must accept).
 */
export function createClientCredentials(
  config: ClientCredentialsConfig,
  options: { fetch?: typeof fetch; timeoutMs: number; now?: () => number },
): Authenticator {
  const send = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  let cached: { token: string; expiresAt: number } | null = null;
  let fetching: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (config.scope) form.set('scope', config.scope);
    if (config.audience) form.set('audience', config.audience);
    const basic = Buffer.from(
      `${encodeURIComponent(config.client_id)}:${encodeURIComponent(config.client_secret)}`,
    ).toString('base64');
    let response: Response;
    try {
      response = await send(config.token_url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (err) {
      throw new TokenError(`token endpoint unreachable: ${(err as Error).name}`);
    }
    // The answer's body is not echoed: it may hold a token, or the endpoint may echo secrets.
    if (!response.ok) throw new TokenError(`token endpoint answered HTTP ${response.status}`);
    const parsed = tokenAnswer.safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new TokenError('token endpoint answered without an access_token');
    const lifetimeMs = (parsed.data.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
    cached = {
      token: parsed.data.access_token,
      expiresAt: now() + Math.max(0, lifetimeMs - EXPIRY_MARGIN_MS),
    };
    return cached.token;
  }

  return {
    async headers() {
      if (cached && now() < cached.expiresAt) return { authorization: `Bearer ${cached.token}` };
      fetching ??= fetchToken().finally(() => {
        fetching = null;
      });
      return { authorization: `Bearer ${await fetching}` };
    },
    invalidate() {
      cached = null;
    },
  };
}
