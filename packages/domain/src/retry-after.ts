/**
 * A source system may ask for a long pause, but one delivery step never waits more than an
 * hour (the same per-step cap as DELIVERY_BACKOFF_MS): a header that says "come back
 * tomorrow" would otherwise park a shipment out of sight.
 */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

const DELAY_SECONDS = /^\d+$/;
/** IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and obsolete RFC 850 (`Sunday, 06-Nov-94 …`). */
const GMT_DATE = /^[A-Za-z]{3,9}, \d{2}[ -][A-Za-z]{3}[ -]\d{2,4} \d{2}:\d{2}:\d{2} GMT$/;
/** Obsolete asctime (`Sun Nov  6 08:49:37 1994`): no zone written, RFC 9110 says it is GMT. */
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * Milliseconds to wait from a `Retry-After` value (delay-seconds or HTTP-date, RFC 9110
 * §10.2.3), capped at an hour; a date in the past means "now". Anything else is ignored
 * (undefined) rather than guessed at: Date.parse alone would read `-1` or `1.5` as dates.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (DELAY_SECONDS.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = GMT_DATE.test(text)
    ? Date.parse(text)
    : ASCTIME_DATE.test(text)
      ? Date.parse(`${text} GMT`)
      : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - now.getTime(), 0), MAX_RETRY_AFTER_MS);
}
