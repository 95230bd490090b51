import { afterEach, describe, expect, it, vi } from 'vitest';
import { compareInstants, isValidTimeZone, parseStarshipitTimestamp } from './timestamps';

const SYDNEY = 'Australia/Sydney';

function iso(value: string, timeZone = 'UTC'): string | undefined {
  return parseStarshipitTimestamp(value, timeZone)?.iso;
}

describe('parseStarshipitTimestamp: canonical form', () => {
  it('gives …09:35:00Z and …09:35:00.0000000Z the same canonical instant', () => {
    const plain = parseStarshipitTimestamp('2026-06-18T09:35:00Z', SYDNEY);
    const padded = parseStarshipitTimestamp('2026-06-18T09:35:00.0000000Z', SYDNEY);
    expect(plain?.iso).toBe('2026-06-18T09:35:00Z');
    expect(padded?.iso).toBe('2026-06-18T09:35:00Z');
    expect(padded?.date.getTime()).toBe(plain?.date.getTime());
  });

  it('keeps all 7 fractional digits Starshipit sends', () => {
    expect(iso('2018-08-09T02:55:37.1446912Z')).toBe('2018-08-09T02:55:37.1446912Z');
  });

  it('drops trailing zeros of the fraction', () => {
    expect(iso('2026-06-10T05:20:11.5000000Z')).toBe('2026-06-10T05:20:11.5Z');
    expect(iso('2026-06-10T05:20:11.1230Z')).toBe('2026-06-10T05:20:11.123Z');
    expect(iso('2026-06-10T05:20:11.0000100Z')).toBe('2026-06-10T05:20:11.00001Z');
  });

  it('adds zero seconds when the value stops at minutes', () => {
    expect(iso('2026-06-18T09:35Z')).toBe('2026-06-18T09:35:00Z');
  });

  it('accepts a space instead of T, lower-case t and z, a comma before the fraction and surrounding blanks', () => {
    expect(iso('2026-06-18 09:35:00Z')).toBe('2026-06-18T09:35:00Z');
    expect(iso('2026-06-18t09:35:00z')).toBe('2026-06-18T09:35:00Z');
    expect(iso('2026-06-18T09:35:00,25Z')).toBe('2026-06-18T09:35:00.25Z');
    expect(iso('  2026-06-18T09:35:00Z  ')).toBe('2026-06-18T09:35:00Z');
  });
});

describe('parseStarshipitTimestamp: the date value', () => {
  it('is the instant at millisecond precision', () => {
    const instant = parseStarshipitTimestamp('2026-06-10T02:03:42.1543701Z', SYDNEY);
    expect(instant?.date).toBeInstanceOf(Date);
    expect(instant?.date.toISOString()).toBe('2026-06-10T02:03:42.154Z');
    expect(instant?.date.getTime()).toBe(Date.UTC(2026, 5, 10, 2, 3, 42, 154));
  });

  it('pads a short fraction to milliseconds', () => {
    expect(parseStarshipitTimestamp('2026-06-10T02:03:42.5Z', 'UTC')?.date.toISOString()).toBe(
      '2026-06-10T02:03:42.500Z',
    );
    expect(parseStarshipitTimestamp('2026-06-10T02:03:42.01Z', 'UTC')?.date.toISOString()).toBe(
      '2026-06-10T02:03:42.010Z',
    );
  });

  it('gets every whole-millisecond fraction exactly right', () => {
    for (let ms = 0; ms < 1000; ms++) {
      const fraction = String(ms).padStart(3, '0');
      const instant = parseStarshipitTimestamp(`2026-06-18T09:35:07.${fraction}0000Z`, 'UTC');
      expect(instant?.date.getTime()).toBe(Date.UTC(2026, 5, 18, 9, 35, 7, ms));
    }
  });

  it('truncates the digits beyond milliseconds instead of rounding them up', () => {
    expect(
      parseStarshipitTimestamp('2026-06-18T09:35:07.1239999Z', 'UTC')?.date.toISOString(),
    ).toBe('2026-06-18T09:35:07.123Z');
    // Rounding up here would move the stored instant into the next second, day and year.
    const endOfYear = parseStarshipitTimestamp('2026-12-31T23:59:59.9999999Z', 'UTC');
    expect(endOfYear?.iso).toBe('2026-12-31T23:59:59.9999999Z');
    expect(endOfYear?.date.toISOString()).toBe('2026-12-31T23:59:59.999Z');
  });
});

describe('parseStarshipitTimestamp: time zones', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads a zone-less timestamp in the configured time zone (Sydney winter, AEST +10)', () => {
    expect(iso('2026-06-10T15:20:00', SYDNEY)).toBe('2026-06-10T05:20:00Z');
  });

  it('reads a zone-less timestamp in the configured time zone (Sydney summer, AEDT +11)', () => {
    expect(iso('2026-01-15T10:00:00', SYDNEY)).toBe('2026-01-14T23:00:00Z');
  });

  it('follows the April 2026 switch from daylight time back to standard time', () => {
    // Daylight saving ends on 5 April 2026 at 03:00 AEDT (+11), which becomes 02:00 AEST (+10).
    expect(iso('2026-04-05T01:30:00', SYDNEY)).toBe('2026-04-04T14:30:00Z');
    expect(iso('2026-04-05T03:30:00', SYDNEY)).toBe('2026-04-04T17:30:00Z');
  });

  it('follows the October 2026 switch from standard time to daylight time', () => {
    // Daylight saving starts on 4 October 2026 at 02:00 AEST (+10), which becomes 03:00 AEDT (+11).
    expect(iso('2026-10-04T01:30:00', SYDNEY)).toBe('2026-10-03T15:30:00Z');
    expect(iso('2026-10-04T03:30:00', SYDNEY)).toBe('2026-10-03T16:30:00Z');
  });

  it('reads a local time that occurs twice (April fall-back) as the earlier, daylight-time instant', () => {
    expect(iso('2026-04-05T02:30:00', SYDNEY)).toBe('2026-04-04T15:30:00Z');
  });

  it('moves a local time that does not exist (October spring-forward) forward by the gap', () => {
    expect(iso('2026-10-04T02:30:00', SYDNEY)).toBe('2026-10-03T16:30:00Z');
  });

  it('reads a zone-less timestamp in UTC when UTC is configured', () => {
    expect(iso('2026-06-10T15:20:00.1543701', 'UTC')).toBe('2026-06-10T15:20:00.1543701Z');
  });

  it('does not read a zone-less timestamp in the host time zone', () => {
    vi.stubEnv('TZ', 'America/Los_Angeles');
    // The host really is in Los Angeles now: a naive Date would read the value there.
    expect(new Date('2026-06-10T15:20:00').toISOString()).toBe('2026-06-10T22:20:00.000Z');
    expect(iso('2026-06-10T15:20:00', SYDNEY)).toBe('2026-06-10T05:20:00Z');
    expect(iso('2026-06-10T15:20:00', 'UTC')).toBe('2026-06-10T15:20:00Z');
  });

  it('ignores the configured time zone when the value carries its own zone', () => {
    expect(iso('2026-06-18T09:35:00Z', SYDNEY)).toBe('2026-06-18T09:35:00Z');
    expect(iso('2026-06-18T19:35:00+10:00', 'America/New_York')).toBe('2026-06-18T09:35:00Z');
  });

  it.each([
    ['2026-06-18T19:35:00+10:00', '2026-06-18T09:35:00Z'],
    ['2026-06-18T19:35:00+1000', '2026-06-18T09:35:00Z'],
    ['2026-06-18T19:35:00+10', '2026-06-18T09:35:00Z'],
    ['2026-06-18T06:05:00-0330', '2026-06-18T09:35:00Z'],
    ['2026-06-18T06:05:00-03:30', '2026-06-18T09:35:00Z'],
    ['2026-06-18T09:05:00-00:30', '2026-06-18T09:35:00Z'],
    ['2026-06-18T22:20:00+12:45', '2026-06-18T09:35:00Z'],
    ['2026-06-18T09:35:00.1446912+00:00', '2026-06-18T09:35:00.1446912Z'],
    ['2026-06-18T09:35:00Z', '2026-06-18T09:35:00Z'],
  ])('applies the explicit offset of %s', (value, expected) => {
    expect(iso(value, SYDNEY)).toBe(expected);
  });

  it('crosses the date line when an offset moves the instant into the previous day', () => {
    expect(iso('2026-01-01T05:00:00+10:00', SYDNEY)).toBe('2025-12-31T19:00:00Z');
  });

  it('returns null when the configured time zone is not a real zone', () => {
    expect(parseStarshipitTimestamp('2026-06-18T09:35:00', 'Mars/Olympus_Mons')).toBeNull();
  });
});

describe('parseStarshipitTimestamp: invalid values', () => {
  it.each([
    ['a day February 2026 does not have', '2026-02-30T09:35:00Z'],
    ['29 February in a common year', '2026-02-29T09:35:00Z'],
    ['month 13', '2026-13-01T09:35:00Z'],
    ['day 0', '2026-06-00T09:35:00Z'],
    ['hour 25', '2026-06-18T25:00:00Z'],
    ['hour 25 without a zone', '2026-06-18T25:00:00'],
    ['hour 24', '2026-06-18T24:00:00Z'],
    ['minute 60', '2026-06-18T09:60:00Z'],
    ['second 60', '2026-06-18T09:35:60Z'],
    ['an offset of 99 hours', '2026-06-18T09:35:00+99:00'],
    ['an offset with 75 minutes', '2026-06-18T09:35:00+10:75'],
    ['a date without a time', '2026-06-18'],
    ['more than 9 fractional digits', '2026-06-18T09:35:00.1234567890Z'],
    ['a one-digit month', '2026-6-18T09:35:00Z'],
    ['a named zone', '2026-06-18T09:35:00 AEST'],
    ['words', 'yesterday'],
    ['an empty string', ''],
    ['a blank string', '   '],
    ['an offset that pushes the instant into year 10000', '9999-12-31T23:59:00-23:59'],
    ['an offset that pulls the instant back to year 0', '0001-01-01T00:30:00+01:00'],
    ['year 0 without a zone', '0000-06-18T09:35:00'],
  ])('rejects %s (%j)', (_reason, value) => {
    expect(parseStarshipitTimestamp(value, SYDNEY)).toBeNull();
  });

  it('accepts the first and last storable instants', () => {
    expect(iso('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00Z');
    expect(iso('9999-12-31T23:59:59Z')).toBe('9999-12-31T23:59:59Z');
  });

  it('accepts 29 February in a leap year', () => {
    expect(iso('2028-02-29T09:35:00Z')).toBe('2028-02-29T09:35:00Z');
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA zones and UTC', () => {
    expect(isValidTimeZone('Australia/Sydney')).toBe(true);
    expect(isValidTimeZone('Pacific/Auckland')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
  });

  it('rejects names that are not zones', () => {
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('compareInstants', () => {
  it('orders instants by time, whatever their seconds', () => {
    expect(compareInstants('2026-06-18T09:35:00Z', '2026-06-18T09:35:01Z')).toBeLessThan(0);
    expect(compareInstants('2026-06-19T00:00:00Z', '2026-06-18T23:59:59.9999999Z')).toBeGreaterThan(
      0,
    );
    expect(compareInstants('2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z')).toBeLessThan(0);
  });

  it('treats the same instant as equal', () => {
    expect(compareInstants('2026-06-18T09:35:00Z', '2026-06-18T09:35:00Z')).toBe(0);
    expect(compareInstants('2026-06-18T09:35:00.5Z', '2026-06-18T09:35:00.500Z')).toBe(0);
    expect(compareInstants('2026-06-18T09:35:00Z', '2026-06-18T09:35:00.000Z')).toBe(0);
  });

  it('sees the digits beyond milliseconds', () => {
    const earlier = '2026-06-18T09:35:00.1234567Z';
    const later = '2026-06-18T09:35:00.1234568Z';
    // Both are the same millisecond as a Date ...
    expect(parseStarshipitTimestamp(earlier, 'UTC')?.date.getTime()).toBe(
      parseStarshipitTimestamp(later, 'UTC')?.date.getTime(),
    );
    // ... but not as instants.
    expect(compareInstants(earlier, later)).toBeLessThan(0);
    expect(compareInstants(later, earlier)).toBeGreaterThan(0);
  });

  it('compares fractions of different lengths by value, not by text length', () => {
    expect(
      compareInstants('2026-06-18T09:35:00.1Z', '2026-06-18T09:35:00.0999999Z'),
    ).toBeGreaterThan(0);
    expect(compareInstants('2026-06-18T09:35:00Z', '2026-06-18T09:35:00.0000001Z')).toBeLessThan(0);
    expect(compareInstants('2026-06-18T09:35:00.00001Z', '2026-06-18T09:35:00.001Z')).toBeLessThan(
      0,
    );
  });

  it('sorts parsed instants in time order', () => {
    const values = [
      '2026-06-18T19:35:00.0000001+10:00',
      '2026-06-18T09:35:00Z',
      '2026-06-18T09:34:59.9999999Z',
      '2026-06-18T19:35:00',
      '2026-06-18T09:35:00.000001Z',
    ];
    const sorted = values
      .map((value) => parseStarshipitTimestamp(value, SYDNEY)!.iso)
      .sort(compareInstants);
    expect(sorted).toEqual([
      '2026-06-18T09:34:59.9999999Z',
      '2026-06-18T09:35:00Z',
      '2026-06-18T09:35:00Z',
      '2026-06-18T09:35:00.0000001Z',
      '2026-06-18T09:35:00.000001Z',
    ]);
  });
});
