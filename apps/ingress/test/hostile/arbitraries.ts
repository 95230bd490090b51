import { KNOWN_STATUSES, parseTrackingPayload } from '@tracksync/domain';
import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';

/** `CHAOS_PROFILE=long` (npm run test:chaos) runs many more cases than `npm test`. */
export const LONG_PROFILE = process.env.CHAOS_PROFILE === 'long';

export const runs = (short: number) => (LONG_PROFILE ? short * 10 : short);

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const nonBlank = text.filter((value) => value.trim() !== '' && !value.includes('\u0000'));

const instant = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z') })
  .filter((date) => !Number.isNaN(date.getTime()))
  .map((date) => date.toISOString());

/** A payload Starshipit could send: the four required fields plus some optional ones. */
export const validPayload = fc.record(
  {
    order_number: fc.oneof(nonBlank, fc.nat()),
    tracking_number: nonBlank,
    tracking_status: fc.oneof(fc.constantFrom(...KNOWN_STATUSES), nonBlank),
    last_updated_date: instant,
    carrier_name: fc.option(nonBlank),
    carrier_service: fc.option(nonBlank),
    shipment_date: fc.option(instant),
  },
  { requiredKeys: ['order_number', 'tracking_number', 'tracking_status', 'last_updated_date'] },
);

export type Payload = typeof validPayload extends fc.Arbitrary<infer T> ? T : never;

const REQUIRED = ['order_number', 'tracking_number', 'tracking_status', 'last_updated_date'];
const OPTIONAL = ['carrier_name', 'carrier_service', 'shipment_date', 'order_reference'];

/** A value of a type the field does not take (numbers are fine for order_number only). */
function wrongTypeFor(field: string): fc.Arbitrary<unknown> {
  const always = [
    fc.boolean(),
    fc.double({ noInteger: true, noDefaultInfinity: true, noNaN: true }),
    fc.array(fc.nat(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.nat(), { maxKeys: 3 }),
  ];
  const extra: fc.Arbitrary<unknown>[] = [];
  if (field !== 'order_number') extra.push(fc.integer());
  else extra.push(fc.integer({ max: -1 }));
  if (REQUIRED.includes(field)) extra.push(fc.constant(null), fc.constant(''), fc.constant('   '));
  return fc.oneof(...always, ...extra);
}

/** A valid payload with one field given a value of the wrong type; the field is named. */
export const wrongTypePayload = fc
  .tuple(validPayload, fc.constantFrom(...REQUIRED, ...OPTIONAL))
  .chain(([payload, field]) =>
    wrongTypeFor(field).map((value) => ({ field, payload: { ...payload, [field]: value } })),
  );

/** Arrays or objects nested `depth` levels, as JSON text. */
export const deepJson = fc
  .record({ depth: fc.integer({ min: 33, max: 10_000 }), kind: fc.constantFrom('array', 'object') })
  .map(({ depth, kind }) =>
    kind === 'array'
      ? '['.repeat(depth) + ']'.repeat(depth)
      : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

/** Bytes that are not UTF-8 (lone continuation bytes, overlongs, surrogates, 0xFE/0xFF). */
export const invalidUtf8 = fc
  .array(
    fc.constantFrom(
      [0x80],
      [0xbf],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xfe],
      [0xff],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0xe2, 0x82],
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => Buffer.from(parts.flat()))
  .filter((bytes) => !isUtf8(bytes));

/** Keys that would pollute prototypes if a parser or merge assigned them naively. */
export const prototypeKeys = fc.subarray(['__proto__', 'constructor', 'prototype'], {
  minLength: 1,
});

/** Header values a stranger might send as the signature: printable ASCII only (fetch's rule). */
export const garbageSignature = fc.oneof(
  fc.string({ maxLength: 300 }).filter((value) => /^[\x21-\x7e]*$/.test(value)),
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.stringMatching(/^(sha256=|sha1=|SHA256=)?[A-Za-z0-9+/]{43}=$/),
  fc.stringMatching(/^sha256=[0-9a-fA-F]{1,200}$/),
  fc.constant('x'.repeat(8_000)),
);

/**
 * What the ingress must answer a correctly signed body, per the README's table: an oracle
 * built from the domain rules, not from the ingress code.
 */
export function expectedStatusForSigned(body: Buffer, maxBodyBytes: number): number {
  if (body.length > maxBodyBytes) return 413;
  if (!isUtf8(body)) return 400;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return 400;
  }
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  return isObject && parseTrackingPayload(value, 'UTC').ok ? 200 : 422;
}
