import { Webhook } from 'standardwebhooks';

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** 128 bits: below that an HMAC key can be guessed; the spec itself suggests 24–64 bytes. */
const MIN_KEY_BYTES = 16;

export const SIGNING_SECRET_HINT =
  'must be a Standard Webhooks secret: whsec_ followed by base64 of at least 16 random bytes';

/** Why `secret` cannot sign, or null when it can. Never echoes the secret itself. */
export function signingSecretProblem(secret: string): string | null {
  if (!secret.startsWith(SECRET_PREFIX)) return 'does not start with whsec_';
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) return 'is not valid base64 after whsec_';
  if (Buffer.from(encoded, 'base64').length < MIN_KEY_BYTES) return 'is shorter than 16 bytes';
  return null;
}

export function isSigningSecret(secret: string): boolean {
  return signingSecretProblem(secret) === null;
}

export interface SignedHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * Signs bodies per Standard Webhooks. The secret is checked here, at creation, so a bad one
 * stops the worker at start instead of failing every delivery later.
 */
export function createSigner(
  secret: string,
): (id: string, at: Date, body: string) => SignedHeaders {
  const problem = signingSecretProblem(secret);
  if (problem) throw new Error(`invalid signing secret: it ${problem}; ${SIGNING_SECRET_HINT}`);
  const webhook = new Webhook(secret);
  return (id, at, body) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook.sign(id, at, body),
  });
}
