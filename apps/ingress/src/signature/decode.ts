export type SignatureEncoding = 'hex' | 'base64' | 'base64url';

/** One way of reading the header value as digest bytes. */
export interface DecodedSignature {
  readonly encoding: SignatureEncoding;
  /** The label found before the digest (`sha256=`), lower-cased; null when there was none. */
  readonly prefix: string | null;
  readonly bytes: Buffer;
}

const PREFIX = /^(sha1|sha256|sha512)=/i;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Every plausible reading of a signature header. A value can be valid hex and valid base64 at
 * once (hex digits are base64 characters), so all readings are returned and each is compared;
 * they decode to different lengths, so at most one can match a given digest.
 */
export function decodeSignature(header: string | undefined): DecodedSignature[] {
  const trimmed = header?.trim() ?? '';
  const prefixMatch = PREFIX.exec(trimmed);
  const prefix = prefixMatch?.[0].toLowerCase() ?? null;
  const value = prefixMatch ? trimmed.slice(prefixMatch[0].length) : trimmed;
  // A length of 1 mod 4 is never base64 output: Buffer would silently drop the stray character.
  const base64Length = value.replace(/=+$/, '').length % 4 !== 1;
  const readings: DecodedSignature[] = [];
  if (HEX.test(value)) readings.push({ encoding: 'hex', prefix, bytes: Buffer.from(value, 'hex') });
  if (BASE64.test(value) && base64Length) {
    readings.push({ encoding: 'base64', prefix, bytes: Buffer.from(value, 'base64') });
  } else if (BASE64URL.test(value) && base64Length) {
    readings.push({ encoding: 'base64url', prefix, bytes: Buffer.from(value, 'base64url') });
  }
  return readings;
}
