import { deleteQueuePrefix, testRedisUrl, uniqueQueuePrefix } from '@tracksync/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../ingress-harness';
import { residentBytes, startIngressProcess, type IngressProcess } from '../ingress-process';
import {
  deepJson,
  garbageSignature,
  LONG_PROFILE,
  prototypeKeys,
  validPayload,
} from './arbitraries';
import { post } from './tally';

const SECRET = 'sustained-webhook-secret';
const DURATION_MS = LONG_PROFILE ? 120_000 : 12_000;
const SAMPLE_EVERY_MS = 200;
const CLIENTS = 16;
const MB = 1024 * 1024;
/**
 * Far above where the ingress settles under this mix with production's heap limits (about
 * 120 MB under tsx, which adds some 30 MB to the bundle). A leak would end in the heap limit's
 * crash, which the answers tally shows; the ceiling catches growth outside the heap.
 */
const RSS_CEILING = 200 * MB;

interface Request {
  readonly body: Buffer;
  readonly signature?: string;
}

const signed = (body: Buffer): Request => ({ body, signature: sign(body, SECRET) });
const bytes = (text: string) => Buffer.from(text);

/**
 * A fixed pool of hostile and valid requests, sent over and over: valid and parked bodies
 * repeat, so their jobs dedupe in Redis and only the ingress's own memory can grow.
 */
const requestPool: fc.Arbitrary<Request> = fc.oneof(
  fc.uint8Array({ maxLength: 2_048 }).map((raw) => ({ body: Buffer.from(raw) })),
  fc
    .tuple(validPayload, garbageSignature)
    .map(([payload, signature]) => ({ body: bytes(JSON.stringify(payload)), signature })),
  validPayload.map((payload) => signed(bytes(JSON.stringify(payload)))),
  fc.string({ maxLength: 200 }).map((text) => signed(bytes(`{"broken": ${text}`))),
  deepJson.map((deep) => signed(bytes(`{"order_number":"D","metadata":${deep}}`))),
  fc.constant(signed(bytes(`{"padding":"${'x'.repeat(100_000)}"}`))),
  fc
    .tuple(validPayload, prototypeKeys)
    .map(([payload, keys]) =>
      signed(
        bytes(
          `${JSON.stringify(payload).slice(0, -1)},${keys.map((key) => `"${key}":{"x":1}`).join(',')}}`,
        ),
      ),
    ),
);

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

describe(`the ingress process under ${DURATION_MS / 1000} s of hostile and valid traffic`, () => {
  const redisUrl = testRedisUrl();
  const prefix = uniqueQueuePrefix();
  let ingress: IngressProcess;

  beforeAll(async () => {
    ingress = await startIngressProcess({
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      STARSHIPIT_WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    await ingress.stop();
    await deleteQueuePrefix(redisUrl, prefix);
  });

  it('never answers 5xx, never exits, and keeps its RSS bounded (levelling off, in the long run)', async () => {
    const pool = fc.sample(requestPool, { numRuns: 300, seed: 7 });
    const statuses = new Map<number, number>();
    const samples: number[] = [await residentBytes(ingress.pid)];
    const stopAt = performance.now() + DURATION_MS;
    let sent = 0;

    const client = async (offset: number) => {
      for (let index = offset; performance.now() < stopAt; index += CLIENTS) {
        const request = pool[index % pool.length];
        if (!request) continue;
        const status = await post(ingress.url, request.body, request.signature);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        sent += 1;
      }
    };
    const sampler = async () => {
      while (performance.now() < stopAt && ingress.alive()) {
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
        samples.push(await residentBytes(ingress.pid));
      }
    };
    await Promise.all([sampler(), ...Array.from({ length: CLIENTS }, (_, i) => client(i))]);

    const third = Math.floor(samples.length / 3);
    const middle = median(samples.slice(third, 2 * third));
    const last = median(samples.slice(2 * third));
    const seen = [...statuses].map(([status, n]) => `${status}×${n}`).join(' ');
    process.stdout.write(
      `sustained run: ${sent} requests in ${DURATION_MS / 1000} s (${seen}); RSS start ` +
        `${((samples[0] ?? 0) / MB) | 0} MB, peak ${(Math.max(...samples) / MB) | 0} MB, end ` +
        `${((samples.at(-1) ?? 0) / MB) | 0} MB; median middle third ${(middle / MB) | 0} MB, last third ${(last / MB) | 0} MB\n`,
    );

    expect(ingress.alive()).toBe(true);
    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(401)).toBeGreaterThan(0);
    expect(Math.max(...samples)).toBeLessThan(RSS_CEILING);
    // V8 grows its heap in steps, and within 12 s a step to where it settles can land in the
    // last third; only the long run is long enough to tell a step from a climb.
    if (LONG_PROFILE) expect(last - middle).toBeLessThan(Math.max(24 * MB, middle * 0.25));
    expect((await fetch(`${ingress.url}/healthz`)).status).toBe(200);
  });
});
