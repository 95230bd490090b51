import { getJson, type RateLimiter, type RequestContext, type RequestRecord } from './request';
import {
  orderResponseSchema,
  shipmentsPageSchema,
  shippedOrdersPageSchema,
  trackResponseSchema,
  type ShipmentsPage,
  type ShippedOrdersPage,
  type StarshipitOrder,
  type TrackResult,
} from './schemas';

export interface StarshipitClientOptions {
  /** `https://api.starshipit.com`; a path prefix (for a proxy) is kept. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly subscriptionKey: string;
  /** Shared by every replica: the subscription key's budget is per account, not per process. */
  readonly rateLimiter: RateLimiter;
  readonly fetch?: typeof fetch;
  /** Bounds one request, headers and body. */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  /** Called once per request sent, with its outcome, for metrics. */
  readonly onRequest?: (record: RequestRecord) => void;
}

export interface PageParams {
  /** 1-based. */
  readonly page?: number;
  /** At most 250 per Starshipit; the default asks for the most so a run spends fewest calls. */
  readonly limit?: number;
}

/** Pieces of an order `GET /api/orders` can add; each is sent as its own `include` param. */
export type OrderInclude =
  | 'Account_Summary'
  | 'Shipment_Attributes'
  | 'Sender_Details'
  | 'Destination'
  | 'Items'
  | 'Packages'
  | 'Metadatas'
  | 'Events'
  | 'Shipping_Price';

export interface StarshipitClient {
  /** Requests finished so far, failed ones included (each one spent rate budget). */
  readonly requests: number;
  listShippedOrders(params: PageParams & { sinceLastUpdated: Date }): Promise<ShippedOrdersPage>;
  listRecentlyPrinted(params?: PageParams & { sinceCreatedDate?: Date }): Promise<ShipmentsPage>;
  /** Every result the API returned, whether it sent one object or a list. */
  track(params: { trackingNumber?: string; orderNumber?: string }): Promise<TrackResult[]>;
  getOrder(
    orderId: number,
    options?: { include?: readonly OrderInclude[] },
  ): Promise<StarshipitOrder>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_PAGE_SIZE = 250;
/** Packages carry the tracking numbers, events the history: what reconciliation reads. */
const DEFAULT_ORDER_INCLUDES: readonly OrderInclude[] = ['Packages', 'Events'];

export function createStarshipitClient(options: StarshipitClientOptions): StarshipitClient {
  let requests = 0;
  const context: RequestContext = {
    baseUrl: checkedBaseUrl(options.baseUrl),
    apiKey: nonEmpty(options.apiKey, 'apiKey'),
    subscriptionKey: nonEmpty(options.subscriptionKey, 'subscriptionKey'),
    fetch: options.fetch ?? fetch,
    timeoutMs: positiveInteger(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs'),
    rateLimiter: options.rateLimiter,
    now: options.now ?? (() => new Date()),
    onRequest: (record) => {
      requests += 1;
      options.onRequest?.(record);
    },
  };

  return {
    get requests() {
      return requests;
    },
    async listShippedOrders({ sinceLastUpdated, ...page }) {
      const query = pageQuery(page);
      // RFC 3339 UTC with milliseconds, the form live pollers send.
      query.set('since_last_updated', sinceLastUpdated.toISOString());
      return await getJson(context, '/api/orders/shipped', query, shippedOrdersPageSchema);
    },
    async listRecentlyPrinted({ sinceCreatedDate, ...page } = {}) {
      const query = pageQuery(page);
      query.set('status', 'recently_printed');
      if (sinceCreatedDate) query.set('since_created_date', sinceCreatedDate.toISOString());
      return await getJson(context, '/api/orders/shipments', query, shipmentsPageSchema);
    },
    async track({ trackingNumber, orderNumber }) {
      if (!trackingNumber && !orderNumber) {
        throw new TypeError('track needs a trackingNumber or an orderNumber');
      }
      const query = new URLSearchParams();
      if (trackingNumber) query.set('tracking_number', trackingNumber);
      if (orderNumber) query.set('order_number', orderNumber);
      const response = await getJson(context, '/api/track', query, trackResponseSchema);
      return response.results;
    },
    async getOrder(orderId, { include = DEFAULT_ORDER_INCLUDES } = {}) {
      const query = new URLSearchParams({ order_id: String(positiveInteger(orderId, 'orderId')) });
      for (const part of include) query.append('include', part);
      const response = await getJson(context, '/api/orders', query, orderResponseSchema);
      return response.order;
    },
  };
}

function pageQuery({ page = 1, limit = MAX_PAGE_SIZE }: PageParams): URLSearchParams {
  positiveInteger(page, 'page');
  if (positiveInteger(limit, 'limit') > MAX_PAGE_SIZE) {
    throw new RangeError(`limit must be at most ${MAX_PAGE_SIZE}, got ${limit}`);
  }
  return new URLSearchParams({ page: String(page), limit: String(limit) });
}

function checkedBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError('baseUrl is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`baseUrl must be http or https, got ${url.protocol}`);
  }
  return url.toString().replace(/\/+$/, '');
}

function nonEmpty(value: string, name: string): string {
  // An empty key would also make the key redaction in error messages a no-op.
  if (!value.trim()) throw new TypeError(`${name} must not be empty`);
  return value;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
