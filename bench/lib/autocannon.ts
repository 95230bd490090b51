import autocannon, { type AutocannonRequest } from 'autocannon';
import { randomBytes } from 'node:crypto';
import { sign, webhookBody } from './payloads';

export interface LoadResult {
  /** Mean of autocannon's per-second request counts over the measured window. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/**
 * Closed-loop load on `POST /callback/` with `connections` keep-alive connections. Every
 * request carries a new shipment, signed like Starshipit would, so each one is a new event.
 */
export async function postWebhooks(
  baseUrl: string,
  { connections, durationS }: { connections: number; durationS: number },
): Promise<LoadResult> {
  const tag = randomBytes(4).toString('hex');
  let counter = 0;
  const request: AutocannonRequest = {
    method: 'POST',
    path: '/callback/',
    setupRequest: (req) => {
      counter += 1;
      const body = webhookBody(`ING-${tag}-${counter}`, counter);
      return {
        ...req,
        body,
        headers: { 'content-type': 'application/json', 'x-starshipit-signature': sign(body) },
      };
    },
  };
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: durationS,
    requests: [request],
  });
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
