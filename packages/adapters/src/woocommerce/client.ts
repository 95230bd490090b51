import { z } from 'zod';
import { outcomeForAnswer } from '../http/outcome';
import { readSnippet } from '../http/response-body';
import type { DeliveryOutcome } from '../source-adapter';

const orderSchema = z.looseObject({ id: z.number(), number: z.string(), status: z.string() });
const noteSchema = z.looseObject({ id: z.number(), note: z.string() });

export type WooOrder = z.infer<typeof orderSchema>;

/** A non-2xx answer, already mapped onto a delivery outcome (404: not found, 5xx: retry …). */
export class WooAnswerError extends Error {
  override readonly name = 'WooAnswerError';
  constructor(readonly outcome: DeliveryOutcome) {
    super('reason' in outcome ? outcome.reason : `HTTP ${String(outcome.httpStatus)}`);
  }
}

export interface WooClient {
  getOrder(id: string): Promise<WooOrder | null>;
  searchOrders(term: string): Promise<WooOrder[]>;
  listNotes(orderId: number): Promise<{ id: number; note: string }[]>;
  addNote(orderId: number, note: { note: string; customer_note: boolean }): Promise<void>;
  updateOrder(orderId: number, fields: { status: string }): Promise<void>;
}

/**
 * The few endpoints of the WooCommerce REST API v3 the adapter needs, over fetch. Auth is HTTP
 * Basic with the consumer key and secret, as WooCommerce documents for HTTPS.
 */
export function createWooClient(options: {
  url: string;
  consumer_key: string;
  consumer_secret: string;
  timeoutMs: number;
  fetch?: typeof fetch | undefined;
}): WooClient {
  const base = `${options.url.replace(/\/+$/, '')}/wp-json/wc/v3`;
  const basic = Buffer.from(`${options.consumer_key}:${options.consumer_secret}`).toString(
    'base64',
  );
  const send = options.fetch ?? fetch;

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await send(`${base}${path}`, {
      method,
      headers: {
        authorization: `Basic ${basic}`,
        accept: 'application/json',
        'user-agent': 'tracksync',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'manual',
    });
    if (response.ok) return response.json();
    const snippet = await readSnippet(response);
    const retryAfter = response.headers.get('retry-after');
    throw new WooAnswerError(
      outcomeForAnswer({ status: response.status, retryAfter, snippet }, new Date()),
    );
  }

  return {
    async getOrder(id) {
      try {
        return orderSchema.parse(await call('GET', `/orders/${encodeURIComponent(id)}`));
      } catch (err) {
        if (err instanceof WooAnswerError && err.outcome.kind === 'not_found') return null;
        throw err;
      }
    },
    async searchOrders(term) {
      const query = new URLSearchParams({ search: term, per_page: '20' });
      return z.array(orderSchema).parse(await call('GET', `/orders?${query.toString()}`));
    },
    async listNotes(orderId) {
      return z.array(noteSchema).parse(await call('GET', `/orders/${orderId}/notes`));
    },
    async addNote(orderId, note) {
      await call('POST', `/orders/${orderId}/notes`, note);
    },
    async updateOrder(orderId, fields) {
      await call('PUT', `/orders/${orderId}`, fields);
    },
  };
}
