import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry-after';

const now = new Date('2026-03-04T09:00:00.000Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
  });

  it('reads an IMF-fixdate as the time left until then', () => {
    expect(parseRetryAfter('Wed, 04 Mar 2026 09:00:30 GMT', now)).toBe(30_000);
  });

  it('reads the obsolete RFC 850 and asctime dates as GMT', () => {
    expect(parseRetryAfter('Wednesday, 04-Mar-26 09:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed Mar  4 09:00:05 2026', now)).toBe(5_000);
  });

  it('treats a date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 04 Mar 2026 08:00:00 GMT', now)).toBe(0);
  });

  it('caps long waits at one hour, in either form', () => {
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Thu, 05 Mar 2026 09:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(MAX_RETRY_AFTER_MS).toBe(3_600_000);
  });

  it.each([
    null,
    undefined,
    '',
    '   ',
    'soon',
    '-1',
    '1.5',
    '1e3',
    '2026-03-04T09:00:30Z',
    'Wed, 99 Foo 2026 09:00:30 GMT',
  ])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
