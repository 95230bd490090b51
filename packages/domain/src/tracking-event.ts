import { z } from 'zod';
import type { PayloadIssue } from './payload-issue';
import { canonicalStatus, isKnownStatus } from './statuses';
import { findUnstorableJson } from './storable-json';
import { parseStarshipitTimestamp } from './timestamps';
import { readWellFormedPayload, type PayloadFields } from './well-formed-payload';

const requiredText = z.string().trim().min(1, 'must not be empty');
const optionalText = z
  .string()
  .nullish()
  .transform((value) => (value?.trim() ? value.trim() : null));

/** One version of Starshipit's guide shows `order_number` unquoted, so numbers are accepted. */
const orderNumber = z
  .union([requiredText, z.number().int().nonnegative()], {
    error: 'must be a string or a whole number',
  })
  .transform(String);

const timestampText = z.string().trim().min(1, 'must not be empty');

/**
 * The webhook body as Starshipit documents it. Unknown extra fields (such as the observed
 * `order_reference` or `metadata`) are kept: `looseObject` passes them through untouched.
 */
export const starshipitTrackingPayloadSchema = z.looseObject({
  order_number: orderNumber,
  tracking_number: requiredText,
  tracking_status: requiredText,
  last_updated_date: timestampText,
  carrier_name: optionalText,
  carrier_service: optionalText,
  shipment_date: optionalText,
  order_reference: optionalText,
});

export type StarshipitTrackingPayload = z.input<typeof starshipitTrackingPayloadSchema>;

/** A tracking update after validation and normalisation: what the rest of tracksync speaks. */
export const trackingEventSchema = z.object({
  orderNumber: z.string().min(1),
  trackingNumber: z.string().min(1),
  trackingStatus: z.string().min(1),
  statusKnown: z.boolean(),
  lastUpdatedDate: z.string().min(1),
  shipmentDate: z.string().nullable(),
  carrierName: z.string().nullable(),
  carrierService: z.string().nullable(),
  orderReference: z.string().nullable(),
});

export type TrackingEvent = z.infer<typeof trackingEventSchema>;

export type ParseResult =
  | { readonly ok: true; readonly event: TrackingEvent }
  | { readonly ok: false; readonly issues: readonly PayloadIssue[] };

/**
 * Validates a parsed JSON body and normalises it: statuses to the guide's spelling,
 * timestamps to canonical UTC instants (zone-less ones read in `timeZone`).
 */
export function parseTrackingPayload(input: unknown, timeZone: string): ParseResult {
  const wellFormed = readWellFormedPayload(input);
  const read = wellFormed ? { ok: true as const, fields: wellFormed } : readWithSchema(input);
  if (!read.ok) return read;
  // An event the worker could never store must be refused now, not retried for hours later.
  const unstorable = findUnstorableJson(input);
  if (unstorable) return { ok: false, issues: [unstorable] };
  return toTrackingEvent(read.fields, timeZone);
}

/** The schema's reading of a body, with its issues when it refuses it. */
function readWithSchema(
  input: unknown,
): { readonly ok: true; readonly fields: PayloadFields } | Extract<ParseResult, { ok: false }> {
  const parsed = starshipitTrackingPayloadSchema.safeParse(input);
  if (parsed.success) return { ok: true, fields: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(root)',
      message: issue.message,
    })),
  };
}

function toTrackingEvent(payload: PayloadFields, timeZone: string): ParseResult {
  const issues: PayloadIssue[] = [];
  const lastUpdated = parseStarshipitTimestamp(payload.last_updated_date, timeZone);
  if (!lastUpdated) issues.push(notATimestamp('last_updated_date'));
  const shipmentDate = payload.shipment_date
    ? parseStarshipitTimestamp(payload.shipment_date, timeZone)
    : null;
  if (payload.shipment_date && !shipmentDate) issues.push(notATimestamp('shipment_date'));
  if (!lastUpdated || issues.length > 0) return { ok: false, issues };

  const trackingStatus = canonicalStatus(payload.tracking_status);
  return {
    ok: true,
    event: {
      orderNumber: payload.order_number,
      trackingNumber: payload.tracking_number,
      trackingStatus,
      statusKnown: isKnownStatus(trackingStatus),
      lastUpdatedDate: lastUpdated.iso,
      shipmentDate: shipmentDate?.iso ?? null,
      carrierName: payload.carrier_name,
      carrierService: payload.carrier_service,
      orderReference: payload.order_reference,
    },
  };
}

function notATimestamp(path: string): PayloadIssue {
  return { path, message: 'must be an ISO-8601 date-time such as 2026-06-18T09:35:00Z' };
}
