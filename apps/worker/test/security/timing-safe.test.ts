import type * as NodeCrypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';

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

const { requireAdminToken } = await import('../../src/admin/auth');

const TOKEN = 'admin-token-for-timing';

/** Runs the middleware on a request with `authorization`; true when it let the request through. */
function admits(authorization: string | undefined): boolean {
  const req = {
    get: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : undefined),
    method: 'GET',
    baseUrl: '/api',
    path: '/unmatched',
  } as unknown as Request;
  const res = {
    status: () => res,
    set: () => res,
    json: () => res,
  } as unknown as Response;
  let passed = false;
  const next: NextFunction = () => {
    passed = true;
  };
  void requireAdminToken(TOKEN)(req, res, next);
  return passed;
}

describe('admin token comparison', () => {
  afterEach(() => {
    crypto.compared.length = 0;
  });

  it('compares 32-byte digests through timingSafeEqual, whatever the length of the guess', () => {
    const guesses = ['x', `${TOKEN.slice(0, -1)}y`, `y${TOKEN.slice(1)}`, TOKEN.repeat(50)];
    for (const guess of guesses) {
      crypto.compared.length = 0;
      expect(admits(`Bearer ${guess}`)).toBe(false);
      expect(crypto.compared).toEqual([[32, 32]]);
    }
  });

  it('takes the same path for the right token as for a wrong one', () => {
    expect(admits(`Bearer ${TOKEN}`)).toBe(true);
    expect(crypto.compared).toEqual([[32, 32]]);
  });

  it('compares nothing when no credentials are presented', () => {
    expect(admits(undefined)).toBe(false);
    expect(admits('Digest abc')).toBe(false);
    expect(crypto.compared).toEqual([]);
  });
});
