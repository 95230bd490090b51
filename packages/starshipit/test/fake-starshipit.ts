import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Starshipit API, for integration tests (this package's and the
 * reconciliation job's). It serves the polled endpoints from plain arrays that a test may
 * replace at any time, checks both auth headers, records every request with its arrival
 * time, and can be scripted to fail (429 with or without Retry-After, 5xx, slow answers).
 */

export type JsonObject = Record<string, unknown>;

/** A shipped row; `updatedAt` (ISO, not served) lets `since_last_updated` filter it. */
export type FakeShippedOrder = JsonObject & { updatedAt?: string };

export interface ScriptedAnswer {
  readonly status: number;
  readonly retryAfter?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Defaults to the gateway's `{statusCode, message}` shape. */
  readonly body?: unknown;
  /** Holds the answer back, e.g. to outlast the client's timeout. */
  readonly delayMs?: number;
  /** Only requests to this path take the answer; by default the next request does. */
  readonly path?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** performance.now() on arrival: monotonic and sub-millisecond, to compare requests. */
  readonly arrivedAt: number;
  /** Set once answered. */
  status?: number;
}

export interface FakeStarshipit {
  readonly url: string;
  readonly apiKey: string;
  readonly subscriptionKey: string;
  readonly requests: RecordedRequest[];
  shippedOrders: FakeShippedOrder[];
  recentlyPrinted: JsonObject[];
  /** Track results, found by `tracking_number`, else `order_number`. */
  tracks: JsonObject[];
  /** The documented single object, or the list form newer docs show. */
  trackResultsAs: 'object' | 'array';
  /** Full orders, found by `order_id` or `order_number`. */
  orders: JsonObject[];
  /** Queues answers taken, in order, by the next matching requests. */
  script(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

export type FakeStarshipitOptions = Partial<
  Pick<
    FakeStarshipit,
    | 'apiKey'
    | 'subscriptionKey'
    | 'shippedOrders'
    | 'recentlyPrinted'
    | 'tracks'
    | 'trackResultsAs'
    | 'orders'
  >
>;

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export async function startFakeStarshipit(
  options: FakeStarshipitOptions = {},
): Promise<FakeStarshipit> {
  const scripted: ScriptedAnswer[] = [];
  const server = createServer((req, res) => {
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeStarshipit = {
    url: `http://127.0.0.1:${port}`,
    apiKey: options.apiKey ?? 'test-api-key',
    subscriptionKey: options.subscriptionKey ?? 'test-subscription-key',
    requests: [],
    shippedOrders: options.shippedOrders ?? [],
    recentlyPrinted: options.recentlyPrinted ?? [],
    tracks: options.tracks ?? [],
    trackResultsAs: options.trackResultsAs ?? 'object',
    orders: options.orders ?? [],
    script: (...answers) => scripted.push(...answers),
    close: async () => {
      // Scripted slow answers may still hold sockets open; close() would wait for them.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', fake.url);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      arrivedAt: performance.now(),
    };
    fake.requests.push(request);
    const send = ({ status, body }: Answer, headers: Record<string, string> = {}) => {
      request.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };

    if (
      req.headers['starshipit-api-key'] !== fake.apiKey ||
      req.headers['ocp-apim-subscription-key'] !== fake.subscriptionKey
    ) {
      send(gatewayAnswer(401, 'Access denied due to invalid subscription key.'));
      return;
    }
    const index = scripted.findIndex((answer) => !answer.path || answer.path === url.pathname);
    const answer = index >= 0 ? scripted.splice(index, 1)[0] : undefined;
    if (answer) {
      const headers: Record<string, string> = { ...answer.headers };
      if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
      const body = answer.body ?? gatewayAnswer(answer.status, 'Scripted failure.').body;
      setTimeout(() => {
        send({ status: answer.status, body }, headers);
      }, answer.delayMs ?? 0);
      return;
    }
    send(route(fake, request));
  }

  return fake;
}

function route(fake: FakeStarshipit, { method, path, query }: RecordedRequest): Answer {
  if (method !== 'GET') return failure(405, 'Only GET is faked.');
  switch (path) {
    case '/api/orders/shipped': {
      const since = Date.parse(query.get('since_last_updated') ?? '');
      if (Number.isNaN(since)) return failure(400, 'since_last_updated must be a date-time.');
      const rows = fake.shippedOrders
        .filter((row) => row.updatedAt === undefined || Date.parse(row.updatedAt) > since)
        .map((row) =>
          Object.fromEntries(Object.entries(row).filter(([key]) => key !== 'updatedAt')),
        );
      return page(rows, query);
    }
    case '/api/orders/shipments': {
      const status = query.get('status');
      if (status !== 'recently_printed' && status !== 'unmanifested') {
        return failure(400, 'status must be recently_printed or unmanifested.');
      }
      const answer = page(status === 'recently_printed' ? fake.recentlyPrinted : [], query);
      return { ...answer, body: { ...(answer.body as JsonObject), status } };
    }
    case '/api/track': {
      const trackingNumber = query.get('tracking_number');
      const orderNumber = query.get('order_number');
      if (!trackingNumber && !orderNumber) return failure(400, 'Send a tracking or order number.');
      const result = trackingNumber
        ? fake.tracks.find((track) => track.tracking_number === trackingNumber)
        : fake.tracks.find((track) => track.order_number === orderNumber);
      if (!result) return failure(404, 'Tracking details not found.');
      const results = fake.trackResultsAs === 'array' ? [result] : result;
      return { status: 200, body: { success: true, results } };
    }
    case '/api/orders': {
      const id = query.get('order_id');
      const orderNumber = query.get('order_number');
      if (!id && !orderNumber) return failure(400, 'The list mode of /api/orders is not faked.');
      const order = fake.orders.find((candidate) =>
        id ? String(candidate.order_id) === id : candidate.order_number === orderNumber,
      );
      return order ? { status: 200, body: { order, success: true } } : failure(404, 'Not found.');
    }
    default:
      return gatewayAnswer(404, 'Resource not found.');
  }
}

/** Offset pages as Starshipit serves them: 1-based `page`, `limit` up to 250. */
function page(rows: readonly JsonObject[], query: URLSearchParams): Answer {
  const pageNumber = Number(query.get('page') ?? '1');
  const limit = Number(query.get('limit') ?? '50');
  if (!Number.isInteger(pageNumber) || pageNumber < 1) return failure(400, 'Bad page.');
  if (!Number.isInteger(limit) || limit < 1 || limit > 250) return failure(400, 'Bad limit.');
  const orders = rows.slice((pageNumber - 1) * limit, pageNumber * limit);
  const body = { orders, total_pages: Math.ceil(rows.length / limit), success: true };
  return { status: 200, body };
}

function failure(status: number, message: string): Answer {
  return { status, body: { success: false, errors: [{ message, details: '' }] } };
}

/** Azure API Management's own answers (401, 404 route, 429) carry this shape instead. */
function gatewayAnswer(status: number, message: string): Answer {
  return { status, body: { statusCode: status, message } };
}
