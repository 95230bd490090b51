import { createHash, createHmac } from 'node:crypto';

/**
 * One way a sender might sign a webhook. Starshipit documents the header but not how its value
 * is computed, so the ingress verifies with a default and the check command tries them all.
 */
export interface SignatureScheme {
  readonly id: string;
  readonly description: string;
  /** Labels a sender may put before the encoded digest, such as `sha256=`. */
  readonly prefixes: readonly string[];
  /** The expected digest, or null when the secret cannot serve as this scheme's key. */
  digest(secret: string, body: Buffer): Buffer | null;
}

type HashAlgorithm = 'sha1' | 'sha256' | 'sha512';
type KeyReader = (secret: string) => Buffer | null;

const textKey: KeyReader = (secret) => Buffer.from(secret, 'utf8');

/** Generated secrets are often base64 (Standard Webhooks adds a `whsec_` label in front). */
const base64Key: KeyReader = (secret) => {
  const value = secret.replace(/^whsec_/, '');
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : null;
};

const hexKey: KeyReader = (secret) =>
  /^(?:[0-9a-fA-F]{2})+$/.test(secret) ? Buffer.from(secret, 'hex') : null;

function hmacScheme(
  algorithm: HashAlgorithm,
  key: { reader: KeyReader; id: string; description: string },
): SignatureScheme {
  return {
    id: `hmac-${algorithm}${key.id}`,
    description: `HMAC-${algorithm.toUpperCase()} of the raw body, key = ${key.description}`,
    prefixes: [`${algorithm}=`],
    digest(secret, body) {
      const keyBytes = key.reader(secret);
      return keyBytes ? createHmac(algorithm, keyBytes).update(body).digest() : null;
    },
  };
}

const SECRET_AS_TEXT = { reader: textKey, id: '', description: 'the secret as UTF-8 text' };
const SECRET_AS_BASE64 = {
  reader: base64Key,
  id: '-base64-key',
  description: 'the secret base64-decoded',
};
const SECRET_AS_HEX = { reader: hexKey, id: '-hex-key', description: 'the secret hex-decoded' };

/** Plain hashes of secret and body: weak, but some senders do exactly this. */
function concatenatedHashScheme(order: 'secret-body' | 'body-secret'): SignatureScheme {
  return {
    id: `sha256-${order}`,
    description:
      order === 'secret-body'
        ? 'SHA-256 of the secret followed by the raw body (no HMAC)'
        : 'SHA-256 of the raw body followed by the secret (no HMAC)',
    prefixes: ['sha256='],
    digest(secret, body) {
      const secretBytes = Buffer.from(secret, 'utf8');
      const parts = order === 'secret-body' ? [secretBytes, body] : [body, secretBytes];
      return createHash('sha256').update(Buffer.concat(parts)).digest();
    },
  };
}

/** The scheme tracksync verifies with until a real delivery proves another one. */
export const DEFAULT_SCHEME: SignatureScheme = hmacScheme('sha256', SECRET_AS_TEXT);

/** Everything the check command tries, the default first. */
export const CANDIDATE_SCHEMES: readonly SignatureScheme[] = [
  DEFAULT_SCHEME,
  hmacScheme('sha1', SECRET_AS_TEXT),
  hmacScheme('sha512', SECRET_AS_TEXT),
  hmacScheme('sha256', SECRET_AS_BASE64),
  hmacScheme('sha256', SECRET_AS_HEX),
  hmacScheme('sha512', SECRET_AS_BASE64),
  concatenatedHashScheme('secret-body'),
  concatenatedHashScheme('body-secret'),
];
