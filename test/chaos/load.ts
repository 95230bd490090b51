import { createHmac } from 'node:crypto';
import { JOURNEY } from './profile';
import { sleep } from './random';

/** One distinct tracking update the load sent, and what the ingress answered about it. */
export interface SentEvent {
  readonly trackingNumber: string;
  readonly status: string;
  readonly body: string;
  /** From the first 200 answer; unset while the update was never acknowledged. */
  eventId?: string;
  ackedPosts: number;
}

export interface LoadLedger {
  readonly events: SentEvent[];
  posts: number;
  ackedPosts: number;
  /** Non-200 answers by status, and `error` for connection errors and timeouts. */
  readonly refusals: Record<string, number>;
  /** 200 answers whose event_id differed from the one an earlier post of the update got. */
  readonly eventIdMismatches: string[];
  endedMs: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly secret: string;
  readonly runId: string;
  readonly shipments: number;
  readonly rate: number;
  readonly duplicateRatio: number;
  readonly random: () => number;
  /** A sender gives an update up after this long without a 200 (it stays unacknowledged). */
  readonly giveUpAfterMs: number;
  /** Stops sending (what was not acknowledged stays so), e.g. when the test gave up. */
  readonly signal?: AbortSignal;
}

/** A refused post is tried again after about this long, as a sender with retries would. */
const RETRY_DELAY_MS = 600;
/** Longer than the ingress's 2 s answer bound under load, short enough to retry soon. */
const POST_TIMEOUT_MS = 5_000;

/** Hands out send times `1/rate` apart, first come first served, across all shipments. */
export function createPacer(perSecond: number): () => Promise<void> {
  const gapMs = 1000 / perSecond;
  let next = performance.now();
  return () => {
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + gapMs;
    return sleep(at - now);
  };
}

function makeEvent(options: LoadOptions, shipment: number, step: number): SentEvent {
  const trackingNumber = `CHAOS${options.runId}${String(shipment).padStart(5, '0')}`;
  const status = JOURNEY[step] ?? 'Delivered';
  const shippedAt = Date.UTC(2026, 5, 18, 8, 0, shipment % 60);
  const body = JSON.stringify({
    order_number: `SO-${trackingNumber}`,
    tracking_number: trackingNumber,
    tracking_status: status,
    carrier_name: 'NZ Post',
    carrier_service: 'CPOLP',
    shipment_date: new Date(shippedAt).toISOString(),
    // An hour between steps: each update is newer than the last, so each is a change.
    last_updated_date: new Date(shippedAt + step * 3_600_000).toISOString(),
  });
  return { trackingNumber, status, body, ackedPosts: 0 };
}

/** One POST signed as Starshipit signs: hex HMAC-SHA256 of the raw body. True on a 200. */
async function postOnce(options: LoadOptions, event: SentEvent, ledger: LoadLedger) {
  ledger.posts += 1;
  const signature = createHmac('sha256', options.secret).update(event.body).digest('hex');
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-starshipit-signature': signature },
      body: event.body,
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
    const answer = (await response.json().catch(() => ({}))) as { event_id?: unknown };
    if (response.status === 200 && typeof answer.event_id === 'string') {
      if (event.eventId !== undefined && event.eventId !== answer.event_id) {
        ledger.eventIdMismatches.push(`${event.trackingNumber} ${event.status}`);
      }
      event.eventId ??= answer.event_id;
      event.ackedPosts += 1;
      ledger.ackedPosts += 1;
      return true;
    }
    ledger.refusals[response.status] = (ledger.refusals[response.status] ?? 0) + 1;
  } catch {
    ledger.refusals.error = (ledger.refusals.error ?? 0) + 1;
  }
  return false;
}

/**
 * Sends each shipment's journey in order (the next update once the last one got its 200)
 * while all shipments run side by side at the pacer's rate, then resolves with the ledger.
 */
export async function runLoad(options: LoadOptions): Promise<LoadLedger> {
  const ledger: LoadLedger = {
    events: [],
    posts: 0,
    ackedPosts: 0,
    refusals: {},
    eventIdMismatches: [],
    endedMs: 0,
  };
  const pace = createPacer(options.rate);
  const postUntilAcknowledged = async (event: SentEvent) => {
    const deadline = Date.now() + options.giveUpAfterMs;
    while (options.signal?.aborted !== true) {
      await pace();
      if (await postOnce(options, event, ledger)) return;
      if (Date.now() > deadline) return;
      await sleep(RETRY_DELAY_MS * (0.5 + options.random()));
    }
  };
  const runShipment = async (shipment: number) => {
    for (const step of JOURNEY.keys()) {
      const event = makeEvent(options, shipment, step);
      ledger.events.push(event);
      await postUntilAcknowledged(event);
      if (options.random() < options.duplicateRatio) await postUntilAcknowledged(event);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.shipments }, (_, i) => runShipment(i)));
  ledger.endedMs = performance.now() - started;
  return ledger;
}
