import { z } from 'zod';
import { createClientCredentials } from './oauth2';

/**
 * Authentication the http adapter adds to every request of a destination. Secrets stay in
 * here: they never reach a log line, an outcome's reason or the ops API.
 */
export interface Authenticator {
  headers(): Promise<Record<string, string>>;
  /** Forgets a cached credential after a 401, so the one retry gets a fresh one. */
  invalidate?(): void;
}

export const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), token: z.string().min(1) }),
  z.strictObject({
    type: z.literal('basic'),
    username: z.string().min(1),
    password: z.string(),
  }),
  z.strictObject({
    type: z.literal('api_key'),
    header: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name'),
    value: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal('oauth2_client_credentials'),
    token_url: z.url({ protocol: /^https?$/ }),
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
    scope: z.string().optional(),
    audience: z.string().optional(),
  }),
]);

export type AuthConfig = z.infer<typeof authSchema>;

export function createAuthenticator(
  config: AuthConfig,
  options: { fetch?: typeof fetch; timeoutMs: number },
): Authenticator {
  switch (config.type) {
    case 'bearer':
      return fixed({ authorization: `Bearer ${config.token}` });
    case 'basic': {
      const pair = Buffer.from(`${config.username}:${config.password}`).toString('base64');
      return fixed({ authorization: `Basic ${pair}` });
    }
    case 'api_key':
      return fixed({ [config.header.toLowerCase()]: config.value });
    case 'oauth2_client_credentials':
      return createClientCredentials(config, options);
  }
}

function fixed(headers: Record<string, string>): Authenticator {
  return { headers: () => Promise.resolve(headers) };
}
