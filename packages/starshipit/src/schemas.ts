import { z } from 'zod';

/**
 * Response schemas for the endpoints reconciliation polls. Much of the shape is known only
 * from third-party code (see starshipit-api.md), so they accept every variant the reference
 * mentions, keep unknown fields (`looseObject`), and never check status words against an
 * enum: Starshipit adds statuses over time and spells them with or without spaces.
 * Timestamps stay strings; the domain's parseTrackingPayload reads them in the account's zone.
 */

/** Null, missing and blank all mean "not given"; text is trimmed. */
const text = z
  .string()
  .nullish()
  .transform((value) => (value?.trim() ? value.trim() : null));

/** One version of the docs shows order numbers unquoted, as in the webhook schema. */
const orderNumber = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value) =>
    value === null || value === undefined ? null : String(value).trim() || null,
  );

const integer = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

/**
 * `success` is documented as a boolean, but two clients also accept `1`. A missing flag is
 * read as success: the HTTP status was already 2xx and the data itself is validated.
 */
const successFlag = z
  .union([z.boolean(), z.number(), z.string()])
  .optional()
  .transform(
    (value) =>
      value === undefined || value === true || value === 1 || value === '1' || value === 'true',
  );

const apiErrorItem = z.union([
  z.looseObject({ message: text, details: text }),
  z.string().transform((message) => ({ message, details: null })),
]);

const envelope = {
  success: successFlag,
  errors: z
    .array(apiErrorItem)
    .nullish()
    .transform((errors) => errors ?? []),
};

/** Pages of list endpoints: `orders` may be missing or empty on the last page. */
function pageOf<Row extends z.ZodType>(row: Row) {
  return z.looseObject({
    ...envelope,
    orders: z
      .array(row)
      .nullish()
      .transform((orders) => orders ?? []),
    /** Null when missing: paginate then stops rather than guess how many pages remain. */
    total_pages: integer.nullish().transform((pages) => pages ?? null),
  });
}

export const trackEventSchema = z.looseObject({
  event_datetime: text,
  status: text,
  details: text,
});

export const trackResultSchema = z.looseObject({
  order_number: orderNumber,
  order_status: text,
  carrier_name: text,
  carrier_service: text,
  carrier_service_code: text,
  tracking_number: text,
  tracking_url: text,
  shipment_date: text,
  tracking_status: text,
  last_updated_date: text,
  tracking_events: z
    .array(trackEventSchema)
    .nullish()
    .transform((events) => events ?? []),
});

/** `results` is one object in the 2017 docs and a list in the newer ones: always a list here. */
export const trackResponseSchema = z.looseObject({
  ...envelope,
  results: z
    .union([z.array(trackResultSchema), trackResultSchema])
    .nullish()
    .transform((results) => (results ? (Array.isArray(results) ? results : [results]) : [])),
});

export const shippedOrderSchema = z.looseObject({
  order_id: integer.nullish().transform((id) => id ?? null),
  order_number: orderNumber,
  reference: text,
  order_date: text,
  shipped_date: text,
  carrier: text,
  carrier_name: text,
  carrier_service_code: text,
  carrier_service_name: text,
  tracking_number: text,
  tracking_short_status: text,
  tracking_full_status: text,
});

export const shippedOrdersPageSchema = pageOf(shippedOrderSchema);

export const printedShipmentSchema = z.looseObject({
  order_id: integer.nullish().transform((id) => id ?? null),
  order_number: orderNumber,
  date: text,
  name: text,
  carrier_name: text,
  carrier_service_code: text,
  /** One order can hold several parcels; a lone string is accepted as a list of one. */
  tracking_numbers: z
    .union([z.array(z.string()), z.string()])
    .nullish()
    .transform((numbers) => (numbers === null || numbers === undefined ? [] : [numbers].flat())),
  country: text,
});

export const shipmentsPageSchema = pageOf(printedShipmentSchema);

export const orderPackageSchema = z.looseObject({
  package_id: integer.nullish().transform((id) => id ?? null),
  tracking_number: text,
  tracking_url: text,
  delivery_status: text,
  carrier_service_code: text,
  carrier_service_name: text,
  label_created_date: text,
});

export const orderEventSchema = z.looseObject({
  time: text,
  category: text,
  name: text,
  method: text,
  description: text,
});

export const orderSchema = z.looseObject({
  order_id: integer,
  order_number: orderNumber,
  order_date: text,
  reference: text,
  carrier: text,
  carrier_name: text,
  carrier_service_code: text,
  status: text,
  packages: z
    .array(orderPackageSchema)
    .nullish()
    .transform((packages) => packages ?? []),
  events: z
    .array(orderEventSchema)
    .nullish()
    .transform((events) => events ?? []),
});

/** `order` is one object; R2 types it as a list, so a non-empty list yields its first entry. */
export const orderResponseSchema = z.looseObject({
  ...envelope,
  order: z.union([orderSchema, z.tuple([orderSchema], orderSchema).transform(([first]) => first)]),
});

export type TrackEvent = z.output<typeof trackEventSchema>;
export type TrackResult = z.output<typeof trackResultSchema>;
export type TrackResponse = z.output<typeof trackResponseSchema>;
export type ShippedOrder = z.output<typeof shippedOrderSchema>;
export type ShippedOrdersPage = z.output<typeof shippedOrdersPageSchema>;
export type PrintedShipment = z.output<typeof printedShipmentSchema>;
export type ShipmentsPage = z.output<typeof shipmentsPageSchema>;
export type StarshipitOrder = z.output<typeof orderSchema>;
export type OrderResponse = z.output<typeof orderResponseSchema>;
