import type { WireBody } from '@tracksync/adapters';
import { statusRank } from '@tracksync/domain';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A change as the source system applied it: the first 2xx answer for its webhook-id. */
export interface AppliedChange {
  readonly webhookId: string;
  readonly trackingStatus: string;
  readonly lastUpdatedDate: string;
}

export interface ReceiverCounts {
  requests: number;
  /** 2xx answers, one per change applied (those lost to a reset while flapping included). */
  applied: number;
  /** Requests for a webhook-id already applied (answered 409, as the contract asks). */
  redelivered: number;
  /** While flapping: 503s, connections reset unanswered, and changes applied then reset. */
  flap503: number;
  flapReset: number;
  flapAppliedThenReset: number;
  badSignatures: number;
}

/**
 * A source system that keeps the contract's receiving side: verifies each signature, applies
 * each webhook-id once and answers 409 to a repeat, and checks that a shipment never hears an
 * older state after a newer one. While `flapping` it fails requests in three ways.
 */
export interface Receiver {
  readonly url: string;
  readonly counts: ReceiverCounts;
  /** Each shipment's applied changes, in the order they were applied. */
  readonly applied: ReadonlyMap<string, readonly AppliedChange[]>;
  /** 2xx answers per webhook-id (counted when applied, even if the answer was then lost). */
  readonly twoXx: ReadonlyMap<string, number>;
  /** Requests that broke the order: older than an applied state, or re-sent after a newer. */
  readonly orderViolations: string[];
  flapping: boolean;
  /** Requests received and not answered yet. */
  inFlight: number;
  close(): Promise<void>;
}

const MAX_ANSWER_DELAY_MS = 40;

function isNewer(change: AppliedChange, than: AppliedChange | undefined): boolean {
  if (!than) return true;
  const [at, before] = [Date.parse(change.lastUpdatedDate), Date.parse(than.lastUpdatedDate)];
  if (at !== before) return at > before;
  return statusRank(change.trackingStatus) > statusRank(than.trackingStatus);
}

/** What the receiver has applied, per webhook-id and per shipment. */
interface Ledger {
  readonly applied: Map<string, AppliedChange[]>;
  readonly shipmentOf: Map<string, string>;
  readonly twoXx: Map<string, number>;
  readonly counts: ReceiverCounts;
  readonly orderViolations: string[];
}

function applyChange(ledger: Ledger, webhookId: string, body: WireBody): void {
  const { tracking_number: trackingNumber, tracking_status, last_updated_date } = body.data;
  const change = { webhookId, trackingStatus: tracking_status, lastUpdatedDate: last_updated_date };
  const history = ledger.applied.get(trackingNumber) ?? [];
  const last = history.at(-1);
  if (!isNewer(change, last)) {
    ledger.orderViolations.push(
      `${trackingNumber}: ${tracking_status} after ${last?.trackingStatus}`,
    );
  }
  history.push(change);
  ledger.applied.set(trackingNumber, history);
  ledger.shipmentOf.set(webhookId, trackingNumber);
  ledger.counts.applied += 1;
  ledger.twoXx.set(webhookId, (ledger.twoXx.get(webhookId) ?? 0) + 1);
}

/** A repeat is fine; a repeat of an older change after a newer one was applied is not. */
function noteRepeat(ledger: Ledger, webhookId: string): void {
  ledger.counts.redelivered += 1;
  const history = ledger.applied.get(ledger.shipmentOf.get(webhookId) ?? '') ?? [];
  if (history.at(-1)?.webhookId !== webhookId) {
    ledger.orderViolations.push(`${webhookId} re-sent after a newer change was applied`);
  }
}

/** The body when the Standard Webhooks signature holds, as a receiver's library checks it. */
function verified(webhook: Webhook, req: IncomingMessage, rawBody: string): WireBody | null {
  try {
    return webhook.verify(rawBody, {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    }) as WireBody;
  } catch {
    return null;
  }
}

export async function startReceiver(secret: string, random: () => number): Promise<Receiver> {
  const webhook = new Webhook(secret);
  const ledger: Ledger = {
    applied: new Map(),
    shipmentOf: new Map(),
    twoXx: new Map(),
    orderViolations: [],
    counts: {
      requests: 0,
      applied: 0,
      redelivered: 0,
      flap503: 0,
      flapReset: 0,
      flapAppliedThenReset: 0,
      badSignatures: 0,
    },
  };
  const { counts } = ledger;

  /** 503; or the connection reset unanswered; or applied and then reset, the 2xx lost. */
  const flap = (req: IncomingMessage, res: ServerResponse, applyNew: (() => void) | null) => {
    const roll = random();
    if (roll < 0.4) {
      counts.flap503 += 1;
      res.writeHead(503).end();
      return;
    }
    if (roll < 0.7 && applyNew) {
      counts.flapAppliedThenReset += 1;
      applyNew();
    } else counts.flapReset += 1;
    req.socket.destroy();
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string) => {
    counts.requests += 1;
    const webhookId = String(req.headers['webhook-id']);
    const body = verified(webhook, req, rawBody);
    if (!body) {
      counts.badSignatures += 1;
      res.writeHead(400).end();
      return;
    }
    const known = ledger.shipmentOf.has(webhookId);
    if (known) noteRepeat(ledger, webhookId);
    const applyNew = () => {
      applyChange(ledger, webhookId, body);
    };
    if (receiver.flapping) {
      flap(req, res, known ? null : applyNew);
      return;
    }
    if (!known) applyNew();
    // A source system commits, then answers a little later: a worker killed in that window
    // must send the applied change again, under the same webhook-id.
    receiver.inFlight += 1;
    setTimeout(() => {
      receiver.inFlight -= 1;
      res.writeHead(known ? 409 : 204).end();
    }, random() * MAX_ANSWER_DELAY_MS);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks/tracking`,
    counts,
    applied: ledger.applied,
    twoXx: ledger.twoXx,
    orderViolations: ledger.orderViolations,
    flapping: false,
    inFlight: 0,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return receiver;
}
