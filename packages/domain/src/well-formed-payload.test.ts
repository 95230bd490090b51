import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { starshipitTrackingPayloadSchema } from './tracking-event';
import { readWellFormedPayload } from './well-formed-payload';

const FIELDS = [
  'order_number',
  'tracking_number',
  'tracking_status',
  'last_updated_date',
  'carrier_name',
  'carrier_service',
  'shipment_date',
  'order_reference',
] as const;

/** Values of every kind a JSON body can put in a field, the awkward ones often. */
const fieldValue = fc.oneof(
  fc.constantFrom('SO-1', ' padded ', '', '   ', '2026-06-18T09:35:00Z', '\u00a0x\t'),
  fc.string(),
  fc.integer({ min: -5, max: 10 }),
  fc.constantFrom(1.5, -0, 0, 2 ** 53, null, true, false),
  fc.constant([]),
  fc.constant({}),
);

const body = fc.oneof(
  fc.record(Object.fromEntries(FIELDS.map((field) => [field, fieldValue])), {
    requiredKeys: [],
  }),
  fc.constantFrom(null, [], 'text', 42),
);

describe('readWellFormedPayload', () => {
  it('outputs exactly what the payload schema outputs, whenever it answers at all', () => {
    fc.assert(
      fc.property(body, (input) => {
        const fast = readWellFormedPayload(input);
        const schema = starshipitTrackingPayloadSchema.safeParse(input);
        if (fast === null) {
          // Declining is always safe; it must not decline a well-formed body of plain text.
          return;
        }
        expect(schema.success).toBe(true);
        const fields = Object.fromEntries(FIELDS.map((field) => [field, schema.data?.[field]]));
        expect(fast).toEqual(fields);
      }),
      { numRuns: 5_000 },
    );
  });

  // Generated bodies rarely pair such a number with every other field valid: asked outright.
  it.each([2 ** 53, 2 ** 53 + 2, 1e21, 1.5, -1])(
    'declines a numeric order number %d that the schema refuses, never rounding it',
    (orderNumber) => {
      const input = {
        order_number: orderNumber,
        tracking_number: 'TN-1',
        tracking_status: 'Dispatched',
        last_updated_date: '2026-06-18T09:35:00Z',
      };
      expect(starshipitTrackingPayloadSchema.safeParse(input).success).toBe(false);
      expect(readWellFormedPayload(input)).toBeNull();
    },
  );

  it('answers for every body the schema accepts whose fields are text, null or a whole number', () => {
    const plain = fc.record(
      Object.fromEntries(
        FIELDS.map((field) => [
          field,
          fc.oneof(fc.string(), fc.constant(null), fc.nat(), fc.constant(undefined)),
        ]),
      ),
    );
    fc.assert(
      fc.property(plain, (input) => {
        if (starshipitTrackingPayloadSchema.safeParse(input).success) {
          expect(readWellFormedPayload(input)).not.toBeNull();
        }
      }),
      { numRuns: 5_000 },
    );
  });
});
