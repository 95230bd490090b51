import {
  freePort,
  deleteQueuePrefix,
  testRedisUrl,
  uniqueQueuePrefix,
} from '@tracksync/test-support';
import { parseTrackingPayload } from '@tracksync/domain';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, jobData, post, postCallback, totalJobs } from './tally';
import { sign, startIngress, type RunningIngress } from '../ingress-harness';
import {
  deepJson,
  expectedStatusForSigned,
  garbageSignature,
  invalidUtf8,
  prototypeKeys,
  runs,
  validPayload,
  wrongTypePayload,
} from './arbitraries';

const SECRET = 'fuzz-webhook-secret-0001';
const MAX_BODY_BYTES = 65_536;
const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 4_096 }).map((bytes) => Buffer.from(bytes)),
  invalidUtf8,
  deepJson.map((json) => Buffer.from(json)),
  validPayload.map((payload) => Buffer.from(JSON.stringify(payload))),
  wrongTypePayload.map(({ payload }) => Buffer.from(JSON.stringify(payload))),
);

describe('the ingress (secret set) under generated hostile bodies', () => {
  const redisUrl = testRedisUrl();
  const prefix = uniqueQueuePrefix();
  let ingress: RunningIngress;
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    ingress = await startIngress({ redisUrl, prefix, env: { STARSHIPIT_WEBHOOK_SECRET: SECRET } });
  });

  afterAll(async () => {
    await ingress.close();
    await deleteQueuePrefix(redisUrl, prefix);
  });

  it('answers 401 to any body that is unsigned or carries a garbage signature, and queues nothing', async () => {
    const before = await totalJobs(ingress.queues);
    await fc.assert(
      fc.asyncProperty(anyBody, fc.option(garbageSignature), async (body, signature) => {
        const status = await post(ingress.url, body, signature ?? undefined);
        count('unsigned or garbage signature', status);
        expect(status).toBe(body.length > MAX_BODY_BYTES ? 413 : 401);
      }),
      { numRuns: runs(150) },
    );
    expect(await totalJobs(ingress.queues)).toBe(before);
  });

  it('answers 401 to a body signed with another secret, and queues nothing', async () => {
    const before = await totalJobs(ingress.queues);
    await fc.assert(
      fc.asyncProperty(anyBody, fc.string({ minLength: 1, maxLength: 30 }), async (body, other) => {
        fc.pre(other !== SECRET);
        const status = await post(ingress.url, body, sign(body, other));
        count('signed with another secret', status);
        expect(status).toBe(401);
      }),
      { numRuns: runs(100) },
    );
    expect(await totalJobs(ingress.queues)).toBe(before);
  });

  it('answers a correctly signed body exactly as the payload rules say, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        const status = await post(ingress.url, body, sign(body, SECRET));
        count('signed random, deep, valid or mistyped', status);
        expect(status).toBeLessThan(500);
        expect(status).toBe(expectedStatusForSigned(body, MAX_BODY_BYTES));
      }),
      { numRuns: runs(200) },
    );
  });

  it('answers 422 naming the field when a field has the wrong type', async () => {
    await fc.assert(
      fc.asyncProperty(wrongTypePayload, async ({ field, payload }) => {
        const body = JSON.stringify(payload);
        const response = await postCallback(ingress.url, body, sign(body, SECRET));
        count('wrong type in one field', response.status);
        expect(response.status).toBe(422);
        const answer = (await response.json()) as { issues: { path: string }[] };
        expect(answer.issues.map((issue) => issue.path)).toContain(field);
      }),
      { numRuns: runs(100) },
    );
  });

  it('answers 422, not 5xx or 503, to a signed payload with an extra field nested 33 to 10,000 levels deep', async () => {
    await fc.assert(
      fc.asyncProperty(validPayload, deepJson, async (payload, deep) => {
        const body = `${JSON.stringify(payload).slice(0, -1)},"metadata":${deep}}`;
        const status = await post(ingress.url, body, sign(body, SECRET));
        count('deeply nested extra field', status);
        expect(status).toBe(Buffer.byteLength(body) > MAX_BODY_BYTES ? 413 : 422);
      }),
      { numRuns: runs(40) },
    );
    expect(ingress.logs.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('accepts long strings up to MAX_BODY_BYTES whole and answers 413 beyond it', async () => {
    await fc.assert(
      fc.asyncProperty(
        validPayload,
        fc.integer({ min: 1_000, max: 2 * MAX_BODY_BYTES }),
        async (payload, length) => {
          const trackingNumber = `LONG-${'x'.repeat(length)}`;
          const body = JSON.stringify({ ...payload, tracking_number: trackingNumber });
          const response = await postCallback(ingress.url, body, sign(body, SECRET));
          count('very long string', response.status);
          if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
            expect(response.status).toBe(413);
            return;
          }
          expect(response.status).toBe(200);
          const { event_id: eventId } = (await response.json()) as { event_id: string };
          const job = await jobData(ingress, eventId);
          expect(job?.event.trackingNumber).toBe(trackingNumber);
        },
      ),
      { numRuns: runs(30) },
    );
  });

  // Product bug, reported: read-body.ts decodes bytes that are not UTF-8 into U+FFFD and
  // accepts the event, so the stored order number is not what was sent. Flip to `it` once
  // readJson answers invalid_json for a body that is not UTF-8.
  it('answers 400 to a signed payload whose strings are not UTF-8', async () => {
    await fc.assert(
      fc.asyncProperty(validPayload, invalidUtf8, async (payload, bytes) => {
        const [head, tail] = JSON.stringify({ ...payload, order_number: '\u0001' }).split(
          '\\u0001',
        );
        const body = Buffer.concat([Buffer.from(head ?? ''), bytes, Buffer.from(tail ?? '')]);
        const status = await post(ingress.url, body, sign(body, SECRET));
        count('invalid UTF-8 inside a valid payload', status);
        expect(status).toBe(400);
      }),
      { numRuns: runs(30) },
    );
  });

  it('treats __proto__, constructor and prototype keys as data: nothing polluted, the event unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        validPayload,
        prototypeKeys,
        fc.jsonValue({ maxDepth: 2 }),
        async (payload, keys, value) => {
          const hostile = keys.map(
            (key) => `${JSON.stringify(key)}:{"polluted":${JSON.stringify(value)},"isAdmin":true}`,
          );
          const body = `${JSON.stringify(payload).slice(0, -1)},${hostile.join(',')},"metadata":{${hostile.join(',')}}}`;
          const response = await postCallback(ingress.url, body, sign(body, SECRET));
          count('__proto__/constructor/prototype keys', response.status);
          expect(response.status).toBe(200);
          const { event_id: eventId } = (await response.json()) as { event_id: string };
          const job = await jobData(ingress, eventId);
          const clean = parseTrackingPayload(payload, 'UTC');
          expect(clean.ok && job?.event).toEqual(clean.ok && clean.event);
          // Every hostile key, __proto__ included, is kept as data.
          for (const key of keys) {
            expect(Object.hasOwn(job?.payload ?? {}, key)).toBe(true);
          }
          expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
        },
      ),
      { numRuns: runs(50) },
    );
  });
});

describe('the ingress (secret set) under generated bodies while Redis is unreachable', () => {
  let ingress: RunningIngress;

  beforeAll(async () => {
    const nothingListens = `redis://127.0.0.1:${await freePort()}`;
    ingress = await startIngress({
      redisUrl: nothingListens,
      prefix: uniqueQueuePrefix(),
      env: { STARSHIPIT_WEBHOOK_SECRET: SECRET },
    });
  });

  afterAll(async () => {
    await ingress.close();
  });

  it('answers only 4xx or 503, signed or not, each within 5 s', async () => {
    // Sent all at once: each signed one waits out the enqueue deadline (1.5 s) before its 503.
    const cases = fc.sample(fc.tuple(anyBody, fc.boolean()), runs(60));
    const answers = await Promise.all(
      cases.map(async ([body, signed]) => {
        const started = performance.now();
        const status = await post(ingress.url, body, signed ? sign(body, SECRET) : undefined);
        count('Redis down', status);
        return { signed, status, ms: performance.now() - started };
      }),
    );
    for (const { signed, status, ms } of answers) {
      expect(status === 503 || (status >= 400 && status < 500)).toBe(true);
      if (!signed) expect(status).toBe(401);
      expect(ms).toBeLessThan(5_000);
    }
    expect(answers.some(({ status }) => status === 503)).toBe(true);
  });
});
