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
/**
 * Four-digit UTC years only: an offset can push 9999-12-31 into year 10000 or 0001-01-01 into
 * year 0, and such an instant neither sorts as text nor parses back, so it could never be stored.
 */
const FIRST_STORABLE = Date.parse('0001-01-01T00:00:00Z');
const LAST_STORABLE = Date.parse('9999-12-31T23:59:59Z');

export function parseStarshipitTimestamp(value: string, timeZone: string): Instant | null {
  const match = STARSHIPIT_TIMESTAMP.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone] = match;
  const fields = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
  };
  const wholeSeconds = zone ? utcOfOffsetTime(fields, zone) : utcOfZonedTime(fields, timeZone);
  if (wholeSeconds === null || wholeSeconds < FIRST_STORABLE || wholeSeconds > LAST_STORABLE) {
    return null;
  }
  const digits = fraction.replace(/0+$/, '');
  const iso = `${formatUtcSeconds(wholeSeconds)}${digits ? `.${digits}` : ''}Z`;
  // Whole milliseconds from the text: adding a float fraction to epoch milliseconds rounds
  // `.1239999` up to `.124` (and `.9999999` into the next second).
  const millis = wholeSeconds + Number(fraction.slice(0, 3).padEnd(3, '0'));
  return { iso, date: new Date(millis) };
}

interface LocalFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** Epoch milliseconds of whole seconds read in an IANA zone (DST rules need luxon). */
function utcOfZonedTime(fields: LocalFields, zoneName: string): number | null {
  const local = DateTime.fromObject(fields, { zone: zoneName });
  return local.isValid ? local.toMillis() : null;
}

/**
 * The same for a value with its own `Z` or offset, which needs no zone rules: plain arithmetic,
 * several times cheaper than luxon on the webhook's hot path. Years 1000–9998 keep the result
 * within the four-digit years toISOString writes; the rare rest goes through luxon.
 */
function utcOfOffsetTime(fields: LocalFields, zone: string): number | null {
  const offsetMinutes = offsetMinutesOf(zone);
  if (offsetMinutes === null) return null;
  const { year, month, day, hour, minute, second } = fields;
  if (year < 1000 || year > 9998) return utcOfZonedTime(fields, fixedZoneName(offsetMinutes));
  const validDate = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
  if (!validDate || minute > 59 || second > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
}

/** `YYYY-MM-DDTHH:mm:ss`; luxon writes the years toISOString would not write in four digits. */
function formatUtcSeconds(millis: number): string {
  const date = new Date(millis);
  const year = date.getUTCFullYear();
  if (year >= 0 && year <= 9999) return date.toISOString().slice(0, 19);
  return DateTime.fromMillis(millis, { zone: 'UTC' }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Minutes east of UTC; null for an offset outside ±23:59, which is not a real offset. */
function offsetMinutesOf(zone: string): number | null {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return null;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/** luxon's name for a fixed offset, such as `UTC+10:30`. */
function fixedZoneName(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = Math.floor(Math.abs(offsetMinutes) / 60);
  const minutes = Math.abs(offsetMinutes) % 60;
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
