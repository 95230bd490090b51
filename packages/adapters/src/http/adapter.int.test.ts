import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { deliveredUpdate } from '../../test/fixtures/shipment-update';
import { createHttpAdapter } from './adapter';

interface Received {
  readonly method: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const secret = `whsec_${randomBytes(32).toString('base64')}`;
let server: Server;
let url: string;
let received: Received[] = [];
let handler: Handler = (_req, res) => res.writeHead(200).end();

/** Reads the whole body first, so handlers see a complete request and we keep its raw bytes. */
function startSink(): Promise<Server> {
  const sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method,
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      });
      handler(req, res);
    });
  });
  return new Promise((resolve) =>
    sink.listen(0, '127.0.0.1', () => {
      resolve(sink);
    }),
  );
}

function answer(status: number, headers: Record<string, string> = {}, body = ''): Handler {
  return (_req, res) => res.writeHead(status, headers).end(body);
}

function adapter(timeoutMs = 5_000, target = url) {
  return createHttpAdapter({ url: target, secret, timeoutMs });
}

function signedHeaders({ headers }: Received): Record<string, string> {
  return {
    'webhook-id': String(headers['webhook-id']),
    'webhook-timestamp': String(headers['webhook-timestamp']),
    'webhook-signature': String(headers['webhook-signature']),
  };
}

beforeAll(async () => {
  server = await startSink();
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tracking`;
});

afterAll(async () => {
  // The timeout test leaves a request hanging on purpose; drop it so close() can finish.
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  handler = answer(200);
});

describe('http adapter against a local sink', () => {
  it('POSTs a Standard Webhooks signed body of exactly the §6 shape', async () => {
    await expect(adapter().apply(deliveredUpdate)).resolves.toEqual({
      kind: 'applied',
      httpStatus: 200,
    });

    expect(received).toHaveLength(1);
    const [request] = received as [Received];
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('tracksync');
    expect(request.headers['webhook-id']).toBe(deliveredUpdate.deliveryId);
    const verified = new Webhook(secret).verify(request.rawBody, signedHeaders(request));
    expect(verified).toStrictEqual({
      type: 'shipment.tracking_updated',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
      data: {
        order_number: 'SO-10042',
        source_order_id: 'erp-778812',
        tracking_number: 'TRK123456789NZ',
        carrier_name: 'NZ Post',
        carrier_service: 'CPOLTPA5',
        tracking_status: 'Delivered',
        shipment_date: '2026-03-02T01:15:00.000Z',
        last_updated_date: '2026-03-04T09:35:00.000Z',
        order_reference: 'WEB-5531',
      },
    });
  });

  it('signs with a current timestamp that matches the body timestamp', async () => {
    await adapter().apply(deliveredUpdate);
    const [request] = received as [Received];
    const sentAt = Number(request.headers['webhook-timestamp']) * 1000;
    const { timestamp } = JSON.parse(request.rawBody) as { timestamp: string };
    expect(Math.abs(sentAt - Date.now())).toBeLessThan(5_000);
    expect(Math.floor(Date.parse(timestamp) / 1000) * 1000).toBe(sentAt);
  });

  it('sends the same webhook-id when one delivery is retried, a new one for another', async () => {
    const http = adapter();
    await http.apply(deliveredUpdate);
    await http.apply(deliveredUpdate);
    await http.apply({ ...deliveredUpdate, deliveryId: 'dlv_other' });
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([
      deliveredUpdate.deliveryId,
      deliveredUpdate.deliveryId,
      'dlv_other',
    ]);
    for (const request of received) {
      expect(() =>
        new Webhook(secret).verify(request.rawBody, signedHeaders(request)),
      ).not.toThrow();
    }
  });

  it.each([200, 201, 204])('reports applied on %i', async (status) => {
    handler = answer(status, {}, status === 204 ? '' : '{"ok":true}');
    await expect(adapter().apply(deliveredUpdate)).resolves.toEqual({
      kind: 'applied',
      httpStatus: status,
    });
  });

  it('reports already applied on 409', async () => {
    handler = answer(409, {}, '{"error":"duplicate"}');
    await expect(adapter().apply(deliveredUpdate)).resolves.toEqual({
      kind: 'already_applied',
      httpStatus: 409,
    });
  });

  it('reports order not found on 404', async () => {
    handler = answer(404, {}, 'no such order');
    await expect(adapter().apply(deliveredUpdate)).resolves.toEqual({
      kind: 'not_found',
      httpStatus: 404,
    });
  });

  it.each([400, 422])('fails %i permanently, quoting the start of the body', async (status) => {
    handler = answer(
      status,
      { 'content-type': 'application/json' },
      '{"error":"bad order_number"}',
    );
    await expect(adapter().apply(deliveredUpdate)).resolves.toEqual({
      kind: 'permanent',
      reason: `HTTP ${status}: {"error":"bad order_number"}`,
      httpStatus: status,
    });
  });

  it('truncates a large error body in the reason', async () => {
    handler = answer(400, {}, 'e'.repeat(100_000));
    const outcome = await adapter().apply(deliveredUpdate);
    expect(outcome.kind).toBe('permanent');
    expect(outcome.kind === 'permanent' && outcome.reason.length).toBeLessThan(220);
  });

  it('does not follow a redirect: the signed POST must reach the configured URL', async () => {
    handler = answer(307, { location: 'http://127.0.0.1:1/elsewhere' });
    await expect(adapter().apply(deliveredUpdate)).resolves.toMatchObject({
      kind: 'permanent',
      httpStatus: 307,
    });
    expect(received).toHaveLength(1);
  });

  it.each([408, 429, 500, 503])('asks to retry on %i', async (status) => {
    handler = answer(status);
    await expect(adapter().apply(deliveredUpdate)).resolves.toEqual({
      kind: 'retry',
      reason: `HTTP ${status}`,
      httpStatus: status,
    });
  });

  it('honours Retry-After in seconds', async () => {
    handler = answer(429, { 'retry-after': '1' });
    await expect(adapter().apply(deliveredUpdate)).resolves.toMatchObject({
      kind: 'retry',
      httpStatus: 429,
      retryAfterMs: 1000,
    });
  });

  it('honours Retry-After as an HTTP date', async () => {
    handler = answer(503, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() });
    const outcome = await adapter().apply(deliveredUpdate);
    expect(outcome).toMatchObject({ kind: 'retry', httpStatus: 503 });
    const wait = outcome.kind === 'retry' ? outcome.retryAfterMs : undefined;
    expect(wait).toBeGreaterThan(25_000);
    expect(wait).toBeLessThanOrEqual(30_000);
  });

  it('ignores a garbage Retry-After', async () => {
    handler = answer(503, { 'retry-after': 'whenever' });
    const outcome = await adapter().apply(deliveredUpdate);
    expect(outcome).toEqual({ kind: 'retry', reason: 'HTTP 503', httpStatus: 503 });
  });

  it('retries with reason timeout when the sink never answers', async () => {
    handler = () => undefined;
    const started = Date.now();
    await expect(adapter(200).apply(deliveredUpdate)).resolves.toEqual({
      kind: 'retry',
      reason: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports applied when the status arrived but the body stalls past the timeout', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":');
    };
    await expect(adapter(200).apply(deliveredUpdate)).resolves.toEqual({
      kind: 'applied',
      httpStatus: 200,
    });
  });

  it('retries, naming the cause, when the connection is refused', async () => {
    const closed = await startSink();
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      adapter(2_000, `http://127.0.0.1:${port}/`).apply(deliveredUpdate),
    ).resolves.toEqual({ kind: 'retry', reason: 'network error: ECONNREFUSED' });
  });

  it('releases every connection, even when answers carry large bodies', async () => {
    // Unread bodies would each pin a socket: 20 answers would leave 20 connections open.
    handler = answer(500, {}, 'x'.repeat(1_000_000));
    const http = adapter();
    for (let attempt = 0; attempt < 20; attempt += 1) await http.apply(deliveredUpdate);
    const openConnections = () =>
      new Promise<number>((resolve, reject) => {
        server.getConnections((error, count) => {
          if (error) reject(error);
          else resolve(count);
        });
      });
    await vi.waitFor(async () => {
      expect(await openConnections()).toBeLessThanOrEqual(2);
    });
  });

  it('refuses to start with a secret that is not whsec_ base64', () => {
    expect(() => createHttpAdapter({ url, secret: 'hunter2', timeoutMs: 1000 })).toThrow(
      /invalid signing secret: it does not start with whsec_/,
    );
    expect(() => createHttpAdapter({ url, secret: 'whsec_%%%', timeoutMs: 1000 })).toThrow(
      /not valid base64/,
    );
  });

  it('refuses a URL that is not http or https', () => {
    expect(() => createHttpAdapter({ url: 'ftp://x', secret, timeoutMs: 1000 })).toThrow(
      'source URL must be http or https, got ftp:',
    );
  });
});
