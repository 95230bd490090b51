import type { WireBody } from '@tracksync/adapters';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as the source system saw it: raw bytes and headers, for signature checks. */
export interface SinkRequest {
  /** Arrival order across the sink's life, from 0. */
  readonly index: number;
  readonly webhookId: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  readonly body: WireBody;
  /** performance.now() when the whole body had arrived. */
  readonly receivedAt: number;
  /** The status answered; undefined while held, or when the client went away first. */
  status?: number;
  /** performance.now() when the answer was sent. */
  answeredAt?: number;
  /** True when the client closed the connection before it was answered. */
  aborted: boolean;
}

export type SinkAnswer =
  | {
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
      /** Waits this long before answering, as a slow source system would. */
      readonly delayMs?: number;
    }
  /** Never answers (until `releaseHeld` or `stop`): a source system that hangs. */
  | { readonly hold: true };

/** Decides each answer; sees every earlier request too, so it can count attempts. */
export type SinkScript = (request: SinkRequest, earlier: readonly SinkRequest[]) => SinkAnswer;

export interface Sink {
  readonly port: number;
  readonly url: string;
  /** Every request received, in arrival order, across stops and restarts. */
  readonly requests: SinkRequest[];
  script: SinkScript;
  /** Requests for one shipment, in arrival order. */
  requestsFor(trackingNumber: string): SinkRequest[];
  /** Answers every held request with `status`. */
  releaseHeld(status?: number): void;
  /** Closes the port (connections are refused from then on) and drops open connections. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** Verifies a request exactly as a receiver using the `standardwebhooks` package would. */
export function verifySinkRequest(secret: string, request: SinkRequest): unknown {
  return new Webhook(secret).verify(request.rawBody, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}

/**
 * A source system on a local port for tests: records each request with its raw body and
 * answers as the test's script says. `port` pins the port (to start it where a closed port was).
 */
export async function startSink(
  options: { port?: number; script?: SinkScript } = {},
): Promise<Sink> {
  const requests: SinkRequest[] = [];
  const held = new Map<SinkRequest, ServerResponse>();
  let server: Server | undefined;

  const answer = (request: SinkRequest, res: ServerResponse, reply: SinkAnswer) => {
    if ('hold' in reply) {
      held.set(request, res);
      return;
    }
    const send = () => {
      if (request.aborted) return;
      request.status = reply.status;
      request.answeredAt = performance.now();
      res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
    };
    if (reply.delayMs) setTimeout(send, reply.delayMs);
    else send();
  };

  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const created = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const rawBody = Buffer.concat(chunks).toString('utf8');
          const request: SinkRequest = {
            index: requests.length,
            webhookId: String(req.headers['webhook-id']),
            headers: req.headers,
            rawBody,
            body: JSON.parse(rawBody) as WireBody,
            receivedAt: performance.now(),
            aborted: false,
          };
          const earlier = [...requests];
          requests.push(request);
          res.on('close', () => {
            if (!res.writableFinished) request.aborted = true;
            held.delete(request);
          });
          answer(request, res, sink.script(request, earlier));
        });
      });
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => {
        resolve(created);
      });
    });

  server = await listen(options.port ?? 0);
  const { port } = server.address() as AddressInfo;

  const sink: Sink = {
    port,
    url: `http://127.0.0.1:${port}/hooks/tracking`,
    requests,
    script: options.script ?? (() => ({ status: 200 })),
    requestsFor: (trackingNumber) =>
      requests.filter((request) => request.body.data.tracking_number === trackingNumber),
    releaseHeld(status = 200) {
      for (const [request, res] of held) answer(request, res, { status });
      held.clear();
    },
    async stop() {
      const running = server;
      if (!running) return;
      server = undefined;
      held.clear();
      running.closeAllConnections();
      await new Promise((resolve) => running.close(resolve));
    },
    async start() {
      if (!server) server = await listen(port);
    },
  };
  return sink;
}

/** Answers the n-th request (from 0) for one webhook-id with `answers[n]`, the last one after. */
export function answersInTurn(...answers: readonly SinkAnswer[]) {
  return (request: SinkRequest, earlier: readonly SinkRequest[]): SinkAnswer => {
    const turn = earlier.filter((seen) => seen.webhookId === request.webhookId).length;
    const reply = answers[Math.min(turn, answers.length - 1)];
    if (!reply) throw new Error('answersInTurn needs at least one answer');
    return reply;
  };
}

/** Whether an answered status counts as applied by the source system (2xx, §6). */
export function isApplied(request: SinkRequest): boolean {
  return request.status !== undefined && request.status >= 200 && request.status < 300;
}
