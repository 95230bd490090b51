import { timingSafeEqual } from 'node:crypto';
import { decodeSignature, type SignatureEncoding } from './decode';
import { CANDIDATE_SCHEMES, DEFAULT_SCHEME, type SignatureScheme } from './schemes';

export const SIGNATURE_HEADER = 'x-starshipit-signature';

export interface SignatureMatch {
  readonly scheme: SignatureScheme;
  readonly encoding: SignatureEncoding;
  readonly prefix: string | null;
  /** Position of the matching secret in the configured list, from 0. */
  readonly secretIndex: number;
}

/**
 * Every (scheme, secret, reading of the header) that agrees with the body. A prefix must name
 * the scheme's own hash, so `sha1=` never passes for an HMAC-SHA256 digest. Digests are
 * compared in constant time; only their lengths, which are public, are compared first.
 */
export function findSignatureMatches(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  schemes: readonly SignatureScheme[] = CANDIDATE_SCHEMES,
): SignatureMatch[] {
  const readings = decodeSignature(header);
  const matches: SignatureMatch[] = [];
  if (readings.length === 0) return matches;
  for (const scheme of schemes) {
    secrets.forEach((secret, secretIndex) => {
      const expected = scheme.digest(secret, rawBody);
      if (!expected) return;
      for (const { encoding, prefix, bytes } of readings) {
        const prefixFits = prefix === null || scheme.prefixes.includes(prefix);
        if (prefixFits && bytes.length === expected.length && timingSafeEqual(bytes, expected)) {
          matches.push({ scheme, encoding, prefix, secretIndex });
        }
      }
    });
  }
  return matches;
}

/** The form nearly every signature takes: a hex HMAC-SHA256, perhaps labelled `sha256=`. */
const HEX_SHA256 = /^(?:sha256=)?([0-9a-f]{64})$/i;

/**
 * True when the header carries a valid default-scheme signature of the raw body under any of
 * the secrets (several during a rotation). Without secrets nothing can be verified: false.
 * A hex digest is checked directly (its other readings, base64 of 48 bytes, can never match a
 * 32-byte digest); any other header takes the general path. Every secret is compared either
 * way, so the time taken does not say which one matched.
 */
export function verifySignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
): boolean {
  const hex = header === undefined ? null : HEX_SHA256.exec(header.trim());
  if (!hex?.[1]) return findSignatureMatches(rawBody, header, secrets, [DEFAULT_SCHEME]).length > 0;
  const presented = Buffer.from(hex[1], 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = DEFAULT_SCHEME.digest(secret, rawBody);
    matched = (expected !== null && timingSafeEqual(presented, expected)) || matched;
  }
  return matched;
}
