import type { Request, Response } from 'express';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createWrongTokenLimit } from './wrong-tokens';

const silent = pino({ level: 'silent' });

function request(ip: string): Request {
  return { ip, baseUrl: '/api', path: '/unmatched' } as unknown as Request;
}

/** Runs the guard once: 'next' when it let the request through, else the answer it gave. */
function pass(limit: ReturnType<typeof createWrongTokenLimit>, ip: string) {
  const answer: { status?: number; headers: Record<string, string>; retryAfterS?: number } = {
    headers: {},
  };
  const res = {
    status(code: number) {
      answer.status = code;
      return this;
    },
    set(name: string, value: string) {
      answer.headers[name] = value;
      return this;
    },
  } as unknown as Response;
  const passed = { through: false };
  const guard = limit.guard((_req, _res, retryAfterS) => {
    answer.retryAfterS = retryAfterS;
  });
  guard(request(ip), res, () => {
    passed.through = true;
  });
  return passed.through ? 'next' : answer;
}

describe('createWrongTokenLimit', () => {
  it('refuses an address after its allowance of wrong tokens until the window ends, then lets it try again', () => {
    let now = 1_000_000;
    const limit = createWrongTokenLimit({
      log: silent,
      allowed: 3,
      windowMs: 60_000,
      now: () => now,
    });

    for (let i = 0; i < 3; i += 1) {
      expect(pass(limit, '203.0.113.7')).toBe('next');
      limit.record(request('203.0.113.7'));
    }
    now += 20_000;
    expect(pass(limit, '203.0.113.7')).toEqual({
      status: 429,
      headers: { 'Retry-After': '40' },
      retryAfterS: 40,
    });

    now += 40_000;
    expect(pass(limit, '203.0.113.7')).toBe('next');
  });

  it('keeps each address apart, but an IPv6 /56 is one address', () => {
    const limit = createWrongTokenLimit({ log: silent, allowed: 1 });
    limit.record(request('203.0.113.7'));
    limit.record(request('2001:db8:aa:bb00::1'));

    expect(pass(limit, '203.0.113.7')).toMatchObject({ status: 429 });
    expect(pass(limit, '203.0.113.8')).toBe('next');
    expect(pass(limit, '2001:db8:aa:bbff::2')).toMatchObject({ status: 429 });
    expect(pass(limit, '2001:db8:aa:cc00::1')).toBe('next');
  });

  it('starts a new window for an address whose last one ended', () => {
    let now = 0;
    const limit = createWrongTokenLimit({
      log: silent,
      allowed: 2,
      windowMs: 1_000,
      now: () => now,
    });
    limit.record(request('198.51.100.1'));
    now = 1_500;
    limit.record(request('198.51.100.1'));

    expect(pass(limit, '198.51.100.1')).toBe('next');
    limit.record(request('198.51.100.1'));
    expect(pass(limit, '198.51.100.1')).toMatchObject({ status: 429 });
  });
});
