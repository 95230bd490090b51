import { DateTime, IANAZone } from 'luxon';

/**
 * Starshipit sends ISO-8601 local date-times with up to 7 fractional digits, sometimes with a
 * zone (`Z`, `+10:00`) and sometimes without. The regex keeps the fraction as text so that no
 * sub-millisecond digit is lost before it becomes part of a dedup key.
 */
const STARSHIPIT_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export interface Instant {
  /** Canonical UTC form: `YYYY-MM-DDTHH:mm:ss[.f…]Z`, trailing fractional zeros dropped. */
  readonly iso: string;
  /** Millisecond precision, for storage and comparison columns. */
  readonly date: Date;
}

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * Reads a Starshipit timestamp as an instant. A value without a zone is read in `timeZone`
 * (the account's zone), never in the host's, so results do not depend on the server's TZ.
 * Returns null for anything that is not a real calendar date-time.
 */
export function parseStarshipitTimestamp(value: string, timeZone: string): Instant | null {
  const match = STARSHIPIT_TIMESTAMP.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone] = match;
  const zoneName = zone ? luxonZone(zone) : timeZone;
  if (zoneName === null) return null;
  const wholeSeconds = DateTime.fromObject(
    {
      year: Number(year),
      month: Number(month),
      day: Number(day),
      hour: Number(hour),
      minute: Number(minute),
      second: Number(second),
    },
    { zone: zoneName },
  );
  if (!wholeSeconds.isValid) return null;
  const utc = wholeSeconds.toUTC();
  const digits = fraction.replace(/0+$/, '');
  const iso = `${utc.toFormat("yyyy-MM-dd'T'HH:mm:ss")}${digits ? `.${digits}` : ''}Z`;
  // Whole milliseconds from the text: adding a float fraction to epoch milliseconds rounds
  // `.1239999` up to `.124` (and `.9999999` into the next second).
  const millis = utc.toMillis() + Number(fraction.slice(0, 3).padEnd(3, '0'));
  return { iso, date: new Date(millis) };
}

/** Null for an offset outside ±23:59, which is not a real offset. */
function luxonZone(zone: string): string | null {
  if (zone.toUpperCase() === 'Z') return 'UTC';
  const sign = zone[0];
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return null;
  return `UTC${sign}${hours}${minutes ? `:${String(minutes).padStart(2, '0')}` : ''}`;
}

/** Orders two canonical instants without losing the digits beyond milliseconds. */
export function compareInstants(a: string, b: string): number {
  const [aSeconds = '', aFraction = ''] = a.replace(/Z$/, '').split('.');
  const [bSeconds = '', bFraction = ''] = b.replace(/Z$/, '').split('.');
  if (aSeconds !== bSeconds) return aSeconds < bSeconds ? -1 : 1;
  const width = Math.max(aFraction.length, bFraction.length);
  const left = aFraction.padEnd(width, '0');
  const right = bFraction.padEnd(width, '0');
  return left === right ? 0 : left < right ? -1 : 1;
}
