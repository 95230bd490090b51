import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEME } from './schemes';
import { findSignatureMatches, verifySignature } from './verify';

const body = Buffer.from('{"order_number":"API-TEST-1001","tracking_status":"Dispatched"}');
const secret = 'shh-its-a-secret';
const hmac = (key: string | Buffer, algorithm = 'sha256') =>
  createHmac(algorithm, key).update(body).digest();

describe('verifySignature', () => {
  it('decides every header as the general matcher of the default scheme does', () => {
    const good = hmac(secret).toString('hex');
    const header = fc.oneof(
      fc.constantFrom(good, good.toUpperCase(), `sha256=${good}`, `SHA256=${good} `, ` ${good}`),
      fc.constantFrom(`sha1=${good}`, `sha512=${good}`, good.slice(1), `${good}0`, `${good}00`),
      fc.constantFrom(hmac(secret).toString('base64'), hmac('other').toString('hex')),
      fc.stringMatching(/^(sha256=)?[0-9a-fA-F]{62,66}$/),
      fc.string(),
    );
    const secrets = fc.constantFrom([secret], ['other', secret], ['other'], [] as string[]);
    fc.assert(
      fc.property(header, secrets, (value, keys) => {
        const general = findSignatureMatches(body, value, keys, [DEFAULT_SCHEME]).length > 0;
        expect(verifySignature(body, value, keys)).toBe(general);
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts an HMAC-SHA256 of the raw body in hex', () => {
    expect(verifySignature(body, hmac(secret).toString('hex'), [secret])).toBe(true);
  });

  it('accepts upper-case hex', () => {
    expect(verifySignature(body, hmac(secret).toString('hex').toUpperCase(), [secret])).toBe(true);
  });

  it('accepts standard base64', () => {
    expect(verifySignature(body, hmac(secret).toString('base64'), [secret])).toBe(true);
  });

  it('accepts url-safe base64, padded or not', () => {
    const urlSafe = hmac(secret).toString('base64url');
    expect(verifySignature(body, urlSafe, [secret])).toBe(true);
    expect(verifySignature(body, `${urlSafe}=`, [secret])).toBe(true);
  });

  it('accepts a sha256= prefix in either case, and surrounding spaces', () => {
    const hex = hmac(secret).toString('hex');
    expect(verifySignature(body, `sha256=${hex}`, [secret])).toBe(true);
    expect(verifySignature(body, ` SHA256=${hmac(secret).toString('base64')} `, [secret])).toBe(
      true,
    );
  });

  it('rejects a prefix naming another hash', () => {
    expect(verifySignature(body, `sha1=${hmac(secret).toString('hex')}`, [secret])).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifySignature(body, hmac('other-secret').toString('hex'), [secret])).toBe(false);
  });

  it('rejects a signature of a different body', () => {
    const tampered = Buffer.from(body.toString().replace('Dispatched', 'Delivered'));
    expect(verifySignature(tampered, hmac(secret).toString('hex'), [secret])).toBe(false);
  });

  it('rejects a missing or empty header', () => {
    expect(verifySignature(body, undefined, [secret])).toBe(false);
    expect(verifySignature(body, '', [secret])).toBe(false);
    expect(verifySignature(body, 'sha256=', [secret])).toBe(false);
  });

  it('accepts a signature made with the second secret during a rotation', () => {
    const signature = hmac('new-secret').toString('hex');
    expect(verifySignature(body, signature, ['old-secret', 'new-secret'])).toBe(true);
    expect(verifySignature(body, signature, ['old-secret'])).toBe(false);
  });

  it('rejects a digest of the wrong length without throwing', () => {
    const hex = hmac(secret).toString('hex');
    expect(verifySignature(body, hex.slice(0, 62), [secret])).toBe(false);
    expect(verifySignature(body, `${hex}00`, [secret])).toBe(false);
    expect(verifySignature(body, hmac(secret, 'sha512').toString('hex'), [secret])).toBe(false);
  });

  it.each(['not a signature', 'zz'.repeat(32), '%%%', 'sha256=!!!', 'a', '====', '\u0000\n'])(
    'rejects garbage %j without throwing',
    (garbage) => {
      expect(verifySignature(body, garbage, [secret])).toBe(false);
    },
  );

  it('rejects everything when no secret is configured', () => {
    expect(verifySignature(body, hmac(secret).toString('hex'), [])).toBe(false);
  });

  it('does not accept the other candidate schemes', () => {
    const plainHash = createHash('sha256').update(secret).update(body).digest('hex');
    expect(verifySignature(body, plainHash, [secret])).toBe(false);
    expect(verifySignature(body, hmac(secret, 'sha1').toString('hex'), [secret])).toBe(false);
  });
});

describe('findSignatureMatches', () => {
  const schemeIds = (header: string, secrets = [secret]) =>
    findSignatureMatches(body, header, secrets).map((match) => match.scheme.id);

  it('names the default scheme with its encoding, prefix and secret', () => {
    const [match] = findSignatureMatches(body, `sha256=${hmac(secret).toString('hex')}`, [
      'old',
      secret,
    ]);
    expect(match).toMatchObject({
      scheme: { id: 'hmac-sha256' },
      encoding: 'hex',
      prefix: 'sha256=',
      secretIndex: 1,
    });
  });

  it('recognises HMAC-SHA1 and HMAC-SHA512 in hex and base64', () => {
    expect(schemeIds(hmac(secret, 'sha1').toString('hex'))).toEqual(['hmac-sha1']);
    expect(schemeIds(`sha1=${hmac(secret, 'sha1').toString('base64')}`)).toEqual(['hmac-sha1']);
    expect(schemeIds(hmac(secret, 'sha512').toString('base64'))).toEqual(['hmac-sha512']);
  });

  it('recognises an HMAC keyed with the base64-decoded secret', () => {
    const encodedSecret = Buffer.from('raw key bytes').toString('base64');
    const signature = hmac(Buffer.from('raw key bytes')).toString('base64');
    expect(schemeIds(signature, [encodedSecret])).toEqual(['hmac-sha256-base64-key']);
    expect(schemeIds(signature, [`whsec_${encodedSecret}`])).toEqual(['hmac-sha256-base64-key']);
  });

  it('recognises a plain SHA-256 of secret and body', () => {
    const secretFirst = createHash('sha256').update(secret).update(body).digest('hex');
    const bodyFirst = createHash('sha256').update(body).update(secret).digest('base64');
    expect(schemeIds(secretFirst)).toEqual(['sha256-secret-body']);
    expect(schemeIds(bodyFirst)).toEqual(['sha256-body-secret']);
  });

  it('finds nothing for a signature no candidate produces', () => {
    expect(schemeIds(createHash('md5').update(body).digest('hex'))).toEqual([]);
  });
});
