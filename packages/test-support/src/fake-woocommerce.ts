import {
  basicCredentials,
  startLocalServer,
  type LocalReply,
  type LocalRequest,
} from './local-http';

/** An order as the fake store keeps it; notes newest last. */
export interface WooStoreOrder {
  readonly id: number;
  readonly number: string;
  status: string;
  readonly notes: { id: number; note: string; customer_note: boolean }[];
}

export interface FakeWooCommerce {
  readonly url: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly orders: Map<number, WooStoreOrder>;
  /** Adds an order in `processing`, as a paid order waits to ship; returns its id. */
  addOrder(number: string): number;
  /** Every API call with its answer, in order. */
  readonly calls: { method: string; path: string; status: number }[];
  /** A failure to answer instead of serving a call (e.g. a flapping 503); null to serve. */
  failWith: ((request: LocalRequest, callIndex: number) => number | null) | null;
  close(): Promise<void>;
}

const API = '/wp-json/wc/v3';

/**
 * A WooCommerce store's REST API v3 as documented (woocommerce.github.io/woocommerce-rest-api-docs):
 * list orders with `search`, retrieve and update an order, list and create order notes.
 * Authentication is HTTP Basic with the consumer key and secret; errors have WooCommerce's
 * `{code, message, data: {status}}` shape.
 */
export async function startFakeWooCommerce(): Promise<FakeWooCommerce> {
  let nextId = 100;
  const store: Omit<FakeWooCommerce, 'url' | 'close'> = {
    consumerKey: `ck_${'a'.repeat(40)}`,
    consumerSecret: `cs_${Math.random().toString(36).slice(2).padEnd(40, 'x')}`,
    orders: new Map(),
    calls: [],
    failWith: null,
    addOrder(number) {
      nextId += 1;
      store.orders.set(nextId, { id: nextId, number, status: 'processing', notes: [] });
      return nextId;
    },
  };
  const server = await startLocalServer((request) => {
    const reply = serve(request);
    store.calls.push({ method: request.method, path: request.path, status: reply.status });
    return reply;
  });

  function serve(request: LocalRequest): LocalReply {
    const credentials = basicCredentials(request.headers.authorization);
    if (credentials?.[0] !== store.consumerKey || credentials[1] !== store.consumerSecret) {
      return error(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    }
    const failed = store.failWith?.(request, store.calls.length) ?? null;
    if (failed !== null) return error(failed, 'internal_error', 'Flapping.');
    if (request.method === 'GET' && request.path === `${API}/orders`) {
      const term = request.query.get('search') ?? '';
      return {
        status: 200,
        json: [...store.orders.values()].filter((o) => o.number.includes(term)).map(present),
      };
    }
    const match = new RegExp(`^${API}/orders/(\\d+)(/notes)?$`).exec(request.path);
    const order = match && store.orders.get(Number(match[1]));
    if (!order) return error(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
    const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    if (match[2]) {
      if (request.method === 'GET') return { status: 200, json: order.notes };
      if (request.method !== 'POST' || typeof body.note !== 'string') {
        return error(400, 'rest_missing_callback_param', 'Missing parameter(s): note');
      }
      const note = {
        id: order.notes.length + 1,
        note: body.note,
        customer_note: body.customer_note === true,
      };
      order.notes.push(note);
      return { status: 201, json: note };
    }
    if (request.method === 'GET') return { status: 200, json: present(order) };
    if (request.method === 'PUT' || request.method === 'POST') {
      if (typeof body.status === 'string') order.status = body.status;
      return { status: 200, json: present(order) };
    }
    return error(404, 'rest_no_route', 'No route was found matching the URL and request method.');
  }

  return Object.assign(store, { url: server.url, close: () => server.close() });
}

function present(order: WooStoreOrder) {
  return { id: order.id, number: order.number, status: order.status };
}

function error(status: number, code: string, message: string): LocalReply {
  return { status, json: { code, message, data: { status } } };
}
