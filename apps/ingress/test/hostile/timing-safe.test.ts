import type * as NodeCrypto from 'node:crypto';
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Wraps the real timingSafeEqual so each comparison the verifier makes can be inspected.
const crypto = vi.hoisted(() => ({ compared: [] as [number, number][] }));
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof NodeCrypto>();
  return {
    ...original,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      crypto.compared.push([a.byteLength, b.byteLength]);
      return original.timingSafeEqual(a, b);
    },
  };
});

const { verifySignature } = await import('../../src/signature');

const SECRET = 'timing-secret';
const BODY = Buffer.from('{"order_number":"SO-1"}');
const GOOD = createHmac('sha256', SECRET).update(BODY).digest('hex');

/** The good signature with one hex digit changed at `index`. */
function flipped(index: number): string {
  const digit = GOOD.charAt(index) === '0' ? '1' : '0';
  return GOOD.slice(0, index) + digit + GOOD.slice(index + 1);
}

describe('signature comparison', () => {
  afterEach(() => {
    crypto.compared.length = 0;
  });

  it('compares digests only through timingSafeEqual, on buffers of equal length', () => {
    expect(verifySignature(BODY, GOOD, [SECRET])).toBe(true);
    expect(crypto.compared).toEqual([[32, 32]]);
  });

  it('takes the same path for a signature wrong in its first byte and one wrong in its last', () => {
    const paths = [flipped(0), flipped(GOOD.length - 1)].map((signature) => {
      crypto.compared.length = 0;
      const verified = verifySignature(BODY, signature, [SECRET]);
      return { verified, compared: [...crypto.compared] };
    });
    expect(paths[0]).toEqual({ verified: false, compared: [[32, 32]] });
    expect(paths[1]).toEqual(paths[0]);
  });

  it('compares every configured secret, so which secret matched takes no longer than a miss', () => {
    expect(verifySignature(BODY, GOOD, ['other-1', SECRET, 'other-2'])).toBe(true);
    expect(crypto.compared).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
  });

  it('compares nothing when the header cannot be a digest of the right length', () => {
    for (const header of [undefined, '', 'abc', GOOD.slice(0, 62), `${GOOD}00`]) {
      expect(verifySignature(BODY, header, [SECRET])).toBe(false);
    }
    expect(crypto.compared).toEqual([]);
  });
});
