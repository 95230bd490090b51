import { Agent, request } from 'node:http';
import { sign, webhookBody } from './payloads';
import { nowEpochMs } from './sink';
import { sleep } from './out';

export interface Offered {
  /** Tracking number → epoch ms at which the request was due (not when it went out). */
  readonly dueAtMs: Map<string, number>;
  readonly sent: number;
  readonly ok: number;
  readonly non200: number;
  readonly errors: number;
  /** p99 and max of (actual send − due): above a few ms the generator itself fell behind. */
  readonly lateP99Ms: number;
  readonly lateMaxMs: number;
  /** When the last request was due. */
  readonly endMs: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export function closeAgent(): void {
  agent.destroy();
}

/**
 * One POST; resolves with the status, or 0 on a network error. A keep-alive socket the server
 * closed while idle fails on reuse before the request reached the app: that one is retried.
 */
function post(url: URL, body: string, retried = false): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        timeout: 10_000,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-starshipit-signature': sign(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
        res.on('error', () => {
          resolve(0);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      if (req.reusedSocket && !retried) resolve(post(url, body, true));
      else resolve(0);
    });
    req.end(body);
  });
}

/**
 * Open-loop load: request i is due at start + i / rate whatever happened to earlier ones, so
 * a slow ingress builds a backlog instead of slowing the generator (no coordinated omission;
 * latency is counted from the due time).
 */
export async function offerLoad(
  baseUrl: string,
  { rate, durationS, label }: { rate: number; durationS: number; label: string },
): Promise<Offered> {
  const url = new URL('/callback/', baseUrl);
  const total = Math.max(1, Math.round(rate * durationS));
  const dueAtMs = new Map<string, number>();
  const late: number[] = [];
  const answers: Promise<number>[] = [];
  const startMs = nowEpochMs() + 5;
  let sent = 0;
  // Bounded by count; each pass sleeps about a millisecond.
  while (sent < total) {
    const now = nowEpochMs();
    const due = Math.min(total, Math.floor(((now - startMs) * rate) / 1000) + 1);
    while (sent < due) {
      const dueAt = startMs + (sent * 1000) / rate;
      const trackingNumber = `${label}-${sent}`;
      dueAtMs.set(trackingNumber, dueAt);
      late.push(nowEpochMs() - dueAt);
      answers.push(post(url, webhookBody(trackingNumber, sent)));
      sent += 1;
    }
    await sleep(1);
  }
  const statuses = await Promise.all(answers);
  late.sort((a, b) => a - b);
  return {
    dueAtMs,
    sent,
    ok: statuses.filter((status) => status === 200).length,
    non200: statuses.filter((status) => status !== 200 && status !== 0).length,
    errors: statuses.filter((status) => status === 0).length,
    lateP99Ms: late[Math.min(late.length - 1, Math.ceil(late.length * 0.99) - 1)] ?? 0,
    lateMaxMs: late[late.length - 1] ?? 0,
    endMs: startMs + ((total - 1) * 1000) / rate,
  };
}
