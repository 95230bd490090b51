/** The documented fields of a webhook body, trimmed, as the payload schema outputs them. */
export interface PayloadFields {
  readonly order_number: string;
  readonly tracking_number: string;
  readonly tracking_status: string;
  readonly last_updated_date: string;
  readonly carrier_name: string | null;
  readonly carrier_service: string | null;
  readonly shipment_date: string | null;
  readonly order_reference: string | null;
}

/** Marks a field that is present but not text (or null): the schema would refuse it. */
const REFUSED = Symbol('refused');

const requiredText = (value: unknown): string | null =>
  typeof value === 'string' ? value.trim() || null : null;

const optionalText = (value: unknown): string | null | typeof REFUSED => {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value.trim() || null : REFUSED;
};

function orderNumber(value: unknown): string | null {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  return requiredText(value);
}

/**
 * What `starshipitTrackingPayloadSchema` outputs for a body it accepts, read without it: every
 * webhook pays for this, and nearly every one is well formed. Null for anything the reader is
 * not sure of, which then goes through the schema, whose answer (and issues) are the ones that
 * count. A test holds the two to the same output on generated bodies.
 */
export function readWellFormedPayload(input: unknown): PayloadFields | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  const body = input as Record<string, unknown>;
  const fields = {
    order_number: orderNumber(body.order_number),
    tracking_number: requiredText(body.tracking_number),
    tracking_status: requiredText(body.tracking_status),
    last_updated_date: requiredText(body.last_updated_date),
    carrier_name: optionalText(body.carrier_name),
    carrier_service: optionalText(body.carrier_service),
    shipment_date: optionalText(body.shipment_date),
    order_reference: optionalText(body.order_reference),
  };
  for (const value of Object.values(fields)) {
    if (value === REFUSED) return null;
  }
  const { order_number, tracking_number, tracking_status, last_updated_date } = fields;
  if (!order_number || !tracking_number || !tracking_status || !last_updated_date) return null;
  return fields as PayloadFields;
}
