import { z } from 'zod';
import type { AdapterFactory } from '../plugin';
import type { DeliveryOutcome, ShipmentUpdate, SourceAdapter } from '../source-adapter';
import { outcomeForFailure } from '../http/outcome';
import { createWooClient, WooAnswerError, type WooClient, type WooOrder } from './client';

const optionsSchema = z.strictObject({
  /** The store's base URL, e.g. https://shop.example.com (the API is under /wp-json/wc/v3). */
  url: z.url({ protocol: /^https?$/ }),
  consumer_key: z.string().min(1),
  consumer_secret: z.string().min(1),
  /** The Starshipit statuses that mark the order `completed`. */
  complete_on: z.array(z.string().min(1)).default(['Dispatched', 'InTransit', 'Delivered']),
  /** True: the note is visible to the customer (and WooCommerce emails it). */
  customer_note: z.boolean().default(false),
});

export type WooCommerceOptions = z.input<typeof optionsSchema>;

/**
 * WooCommerce (REST API v3) as a tracksync adapter plugin: finds the order, adds an order
 * note with carrier, service, tracking number and status, and marks the order `completed`
 * when the status is one of `complete_on`. Each note carries the delivery id, and the notes
 * are read first, so a retry after a lost answer never adds the note twice.
 */
export const createWooCommerceAdapter: AdapterFactory = (options, context) => {
  const config = optionsSchema.parse(options);
  const client = createWooClient({ ...config, timeoutMs: context.timeoutMs, fetch: context.fetch });
  return {
    name: context.name,
    async apply(update) {
      try {
        return await applyToOrder(client, config, update);
      } catch (err) {
        if (err instanceof WooAnswerError) return err.outcome;
        return outcomeForFailure(err);
      }
    },
  } satisfies SourceAdapter;
};

export default createWooCommerceAdapter;

async function applyToOrder(
  client: WooClient,
  config: z.output<typeof optionsSchema>,
  update: ShipmentUpdate,
): Promise<DeliveryOutcome> {
  const order = await findOrder(client, update);
  if (!order) return { kind: 'not_found', httpStatus: 404 };
  const marker = `[tracksync ${update.deliveryId}]`;
  const notes = await client.listNotes(order.id);
  if (!notes.some((note) => note.note.includes(marker))) {
    await client.addNote(order.id, {
      note: noteText(update, marker),
      customer_note: config.customer_note,
    });
  }
  if (config.complete_on.includes(update.trackingStatus) && order.status !== 'completed') {
    await client.updateOrder(order.id, { status: 'completed' });
  }
  return { kind: 'applied', httpStatus: 200 };
}

/**
 * By the matched source order id (WooCommerce's numeric order id) when there is one; else by
 * order number: `search` matches loosely, so only an order whose `number` is exactly the
 * Starshipit order number counts.
 */
async function findOrder(client: WooClient, update: ShipmentUpdate): Promise<WooOrder | null> {
  if (update.sourceOrderId) return client.getOrder(update.sourceOrderId);
  const found = await client.searchOrders(update.orderNumber);
  return found.find((order) => order.number === update.orderNumber) ?? null;
}

function noteText(update: ShipmentUpdate, marker: string): string {
  const carrier = [update.carrierName, update.carrierService].filter(Boolean).join(' ');
  return `Shipment ${update.trackingNumber}${carrier ? ` via ${carrier}` : ''}: ${update.trackingStatus} ${marker}`;
}
