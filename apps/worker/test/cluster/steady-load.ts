import { createHmac } from 'node:crypto';

/** One webhook of the load and what the ingress made of it. */
export interface Sent {
  readonly trackingNumber: string;
  /** performance.now() when it was sent. */
  readonly sentAt: number;
  /** The HTTP status, or 0 when no answer came (refused, reset, or over the 10 s limit). */
  status: number;
  ms: number;
  eventId?: string;
}

export interface SteadyLoad {
  /** Stops sending and resolves once every webhook sent has its answer. */
  stop(): Promise<Sent[]>;
}

const ANSWER_LIMIT_MS = 10_000;

/**
 * Posts signed webhooks at a fixed rate, each a new shipment, without waiting for answers
 * (open loop), as Starshipit would keep sending whatever the ingress is going through.
 */
export function startSteadyLoad(options: {
  readonly url: string;
  readonly secret: string;
  readonly perSecond: number;
  readonly label: string;
}): SteadyLoad {
  const sent: Sent[] = [];
  const answers: Promise<void>[] = [];
  const send = async (record: Sent, body: string) => {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-starshipit-signature': createHmac('sha256', options.secret).update(body).digest('hex'),
        },
        body,
        signal: AbortSignal.timeout(ANSWER_LIMIT_MS),
      });
      const answer = (await response.json()) as { event_id?: string };
      record.status = response.status;
      if (answer.event_id) record.eventId = answer.event_id;
    } catch {
      record.status = 0;
    }
    record.ms = performance.now() - record.sentAt;
  };
  const timer = setInterval(() => {
    const trackingNumber = `${options.label}${String(sent.length).padStart(5, '0')}`;
    const body = JSON.stringify({
      order_number: `SO-${trackingNumber}`,
      carrier_name: 'Australia Post',
      carrier_service: '7B05',
      tracking_number: trackingNumber,
      tracking_status: 'InTransit',
      last_updated_date: new Date().toISOString(),
    });
    const record: Sent = { trackingNumber, sentAt: performance.now(), status: -1, ms: -1 };
    sent.push(record);
    answers.push(send(record, body));
  }, 1_000 / options.perSecond);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(answers);
      return sent;
    },
  };
}
