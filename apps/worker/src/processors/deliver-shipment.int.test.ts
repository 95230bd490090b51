import {
  deliveries,
  deliveryAttempts,
  findShipment,
  recordTrackingEvent,
  trackingEvents,
  type RecordResult,
} from '@tracksync/db';
import { statusRank } from '@tracksync/domain';
import { enqueue, type TrackingEventJob } from '@tracksync/queue';
import { asc, eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchShipment, replayEvent, retryUnmatchedShipments } from '../deliveries/requests';
import type { ScheduleDeps } from '../deliveries/schedule';
import {
  GUIDE_EXAMPLE_PAYLOAD,
  startHarness,
  trackingEventJob,
  waitFor,
  waitForJobState,
  waitUntilQuiet,
  type WorkerHarness,
} from '../../test/harness';
import {
  answersInTurn,
  isApplied,
  startSink,
  verifySinkRequest,
  type Sink,
  type SinkRequest,
} from '../../test/sink';
import { createWorkers, type WorkerSet } from '../workers';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
/** Small, so a failing delivery retries within a test: ~25–50 ms, then doubling. */
const BACKOFF_MS = 50;
const JOURNEY = ['Printed', 'Dispatched', 'InTransit', 'OutForDelivery', 'Delivered'] as const;

let sink: Sink;
let harness: WorkerHarness;
let workers: WorkerSet;
let schedule: ScheduleDeps;

beforeAll(async () => {
  sink = await startSink();
  harness = await startHarness({
    SOURCE_ADAPTER: 'http',
    SOURCE_HTTP_URL: sink.url,
    SOURCE_HTTP_SECRET: SECRET,
    SOURCE_HTTP_TIMEOUT_MS: '3000',
    DELIVERY_BACKOFF_MS: String(BACKOFF_MS),
    WORKER_CONCURRENCY: '8',
  });
  workers = createWorkers(harness);
  schedule = harness;
});

afterAll(async () => {
  await workers.close();
  await harness.close();
  await sink.stop();
});

/** A webhook body for one shipment; `minute` places its last_updated_date on 2026-06-18. */
function payload(trackingNumber: string, status: string, minute: number, extra = {}) {
  const time = new Date(Date.UTC(2026, 5, 18, 9, minute)).toISOString();
  return {
    order_number: `SO-${trackingNumber}`,
    tracking_number: trackingNumber,
    tracking_status: status,
    last_updated_date: time,
    ...extra,
  };
}

function eventJob(trackingNumber: string, status: string, minute: number, extra = {}) {
  return trackingEventJob(payload(trackingNumber, status, minute, extra));
}

/** Enqueues the event as the ingress would and waits for the worker to record it. */
async function ingest(job: TrackingEventJob): Promise<RecordResult> {
  await enqueue(harness.queues, 'tracking-event', job);
  const done = await waitForJobState(harness.queues.ingest, job.eventId, 'completed');
  return done.returnvalue as RecordResult;
}

function deliveriesOf(trackingNumber: string) {
  return harness.db
    .select()
    .from(deliveries)
    .where(eq(deliveries.trackingNumber, trackingNumber))
    .orderBy(asc(deliveries.seq));
}

function attemptsOf(deliveryId: string) {
  return harness.db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, deliveryId))
    .orderBy(asc(deliveryAttempts.id));
}

async function waitForDeliveries(
  trackingNumber: string,
  status: 'delivered' | 'unmatched' | 'failed',
  count: number,
  timeoutMs = 10_000,
) {
  return waitFor(
    `${count} ${status} deliveries of ${trackingNumber}`,
    async () => {
      const rows = await deliveriesOf(trackingNumber);
      return rows.length === count && rows.every((row) => row.status === status) ? rows : null;
    },
    timeoutMs,
  );
}

/** No job waiting, running or delayed anywhere: whatever was going to be sent has been. */
function expectSigned(requests: readonly SinkRequest[]) {
  expect(requests.length).toBeGreaterThan(0);
  for (const request of requests) expect(() => verifySinkRequest(SECRET, request)).not.toThrow();
}

/** Per webhook-id, how many requests the sink answered 2xx. */
function appliedCounts(requests: readonly SinkRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of requests) {
    const applied = isApplied(request) ? 1 : 0;
    counts.set(request.webhookId, (counts.get(request.webhookId) ?? 0) + applied);
  }
  return counts;
}

describe('deliveries to the source system', () => {
  it('sends one Standard Webhooks signed request of the §6 shape for a new shipment', async () => {
    sink.script = () => ({ status: 200 });
    const job = trackingEventJob(GUIDE_EXAMPLE_PAYLOAD);
    const recorded = await ingest(job);
    expect(recorded).toMatchObject({ result: 'applied' });
    const [delivery] = await waitForDeliveries('TESTTRACK123', 'delivered', 1);

    const [request] = sink.requestsFor('TESTTRACK123');
    expect(sink.requestsFor('TESTTRACK123')).toHaveLength(1);
    expect(request?.webhookId).toBe(delivery?.deliveryId);
    expect(request?.webhookId).toMatch(/^dlv_[0-9a-f]{32}$/);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(verifySinkRequest(SECRET, request!)).toStrictEqual({
      type: 'shipment.tracking_updated',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
      data: {
        order_number: 'API-TEST-1001',
        source_order_id: null,
        tracking_number: 'TESTTRACK123',
        carrier_name: 'Australia Post',
        carrier_service: '7B05',
        tracking_status: 'Dispatched',
        shipment_date: '2026-06-18T09:30:00Z',
        last_updated_date: '2026-06-18T09:35:00Z',
        order_reference: null,
      },
    });
    const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
    expect(() => verifySinkRequest(otherSecret, request!)).toThrow();
    expect(harness.lines).toContainEqual(
      expect.objectContaining({
        msg: 'delivery delivered',
        deliveryId: delivery?.deliveryId,
        trackingNumber: 'TESTTRACK123',
        orderNumber: 'API-TEST-1001',
        carrierName: 'Australia Post',
        carrierService: '7B05',
        eventTimestamp: '2026-06-18T09:35:00Z',
      }),
    );
  });

  it('delivers an event once when its job is enqueued 1,000 times while it is recorded 1,000 times more', async () => {
    sink.script = () => ({ status: 200 });
    const job = eventJob('ONCE-1', 'Dispatched', 35);
    const incoming = {
      eventId: job.eventId,
      source: 'webhook' as const,
      receivedAt: new Date(job.receivedAt),
      event: job.event,
      payload: job.payload,
    };
    // In waves of 100, each at once: a thousand transactions queued on one pool of ten would
    // wait longer for a connection than the pool's connection timeout allows.
    const recorded: RecordResult[] = [];
    for (let wave = 0; wave < 10; wave += 1) {
      const [, results] = await Promise.all([
        Promise.all(
          Array.from({ length: 100 }, () => enqueue(harness.queues, 'tracking-event', job)),
        ),
        Promise.all(Array.from({ length: 100 }, () => recordTrackingEvent(harness.db, incoming))),
      ]);
      recorded.push(...results);
    }
    const ingested = await waitForJobState(harness.queues.ingest, job.eventId, 'completed');
    await waitForDeliveries('ONCE-1', 'delivered', 1);
    await waitUntilQuiet(harness);

    // Whichever call stored the event first, exactly one saw a change of state; when a direct
    // call won, the event job (a duplicate) is what enqueued the pending delivery.
    const results = [...recorded, ingested.returnvalue as RecordResult].map((r) => r.result);
    expect(results.filter((result) => result === 'applied')).toHaveLength(1);
    expect(results.filter((result) => result === 'duplicate')).toHaveLength(1000);
    expect(await harness.db.$count(trackingEvents, eq(trackingEvents.eventId, job.eventId))).toBe(
      1,
    );
    const requests = sink.requestsFor('ONCE-1');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.status).toBe(200);
    expectSigned(requests);
  });

  it('delivers once for a webhook and the poll that later restates it, even after Redis forgot the job', async () => {
    sink.script = () => ({ status: 200 });
    const fromWebhook = eventJob('ONCE-2', 'InTransit', 35);
    expect(await ingest(fromWebhook)).toMatchObject({ result: 'applied' });
    await waitForDeliveries('ONCE-2', 'delivered', 1);

    // The same update as a poll reads it: another spelling and offset, the same instant.
    const fromPoll = trackingEventJob(
      {
        ...payload('ONCE-2', 'In Transit', 35),
        last_updated_date: '2026-06-18T19:35:00.0000000+10:00',
      },
      'poll',
    );
    expect(fromPoll.eventId).toBe(fromWebhook.eventId);
    // Completed jobs are trimmed after a day: the database, not Redis, must recognise it.
    await harness.queues.ingest.remove(fromWebhook.eventId);
    expect(await ingest(fromPoll)).toEqual({ result: 'duplicate' });
    await waitUntilQuiet(harness);

    expect(sink.requestsFor('ONCE-2')).toHaveLength(1);
    expect(await deliveriesOf('ONCE-2')).toHaveLength(1);
  });

  it('delivers nothing for a restated, merged, stale or post-final event', async () => {
    sink.script = () => ({ status: 200 });
    const dispatched = eventJob('QUIET-1', 'Dispatched', 60);
    const inTransit = eventJob('QUIET-1', 'InTransit', 120);
    expect(await ingest(dispatched)).toMatchObject({ result: 'applied' });
    expect(await ingest(inTransit)).toMatchObject({ result: 'applied' });
    await waitForDeliveries('QUIET-1', 'delivered', 2);

    const restated = { ...inTransit, eventId: 'f'.repeat(64), source: 'poll' as const };
    const latePrinted = eventJob('QUIET-1', 'Printed', 30, {
      carrier_name: 'NZ Post',
      carrier_service: 'CPOLTPA5',
    });
    const lateException = eventJob('QUIET-1', 'Exception', 90);
    const delivered = eventJob('QUIET-1', 'Delivered', 180);
    const scanAfterDelivered = eventJob('QUIET-1', 'OutForDelivery', 240);
    const steps = [
      [restated, 'unchanged'],
      [latePrinted, 'merged'],
      [lateException, 'stale'],
      [delivered, 'applied'],
      [scanAfterDelivered, 'stale'],
    ] as const;
    for (const [job, expected] of steps) {
      expect({ status: job.event.trackingStatus, ...(await ingest(job)) }).toMatchObject({
        status: job.event.trackingStatus,
        result: expected,
      });
    }
    await waitForDeliveries('QUIET-1', 'delivered', 3);
    await waitUntilQuiet(harness);

    const requests = sink.requestsFor('QUIET-1');
    expect(requests.map((request) => request.body.data.tracking_status)).toEqual([
      'Dispatched',
      'InTransit',
      'Delivered',
    ]);
    // The merged event's carrier fields travel with the next change instead of on their own.
    expect(requests[2]?.body.data).toMatchObject({
      carrier_name: 'NZ Post',
      carrier_service: 'CPOLTPA5',
    });
    expectSigned(requests);
  });

  it('keeps retrying through refused connections, 500s and a 429 until the source is back, then delivers each change once', async () => {
    const shipments = ['DOWN-1', 'DOWN-2', 'DOWN-3'];
    await sink.stop();
    // The first change of DOWN-1 is the one followed closely; every other change sees one 500.
    let watchedId = '';
    const watched = answersInTurn(
      { status: 500 },
      { status: 500 },
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 200 },
    );
    const others = answersInTurn({ status: 500 }, { status: 200 });
    sink.script = (request, earlier) =>
      request.webhookId === watchedId ? watched(request, earlier) : others(request, earlier);

    for (const trackingNumber of shipments) {
      await ingest(eventJob(trackingNumber, 'Dispatched', 60));
      await ingest(eventJob(trackingNumber, 'InTransit', 120));
    }
    const [first] = await deliveriesOf('DOWN-1');
    watchedId = first!.deliveryId;
    await waitFor('two refused attempts', async () => (await attemptsOf(watchedId)).length >= 2);
    await sink.start();

    const delivered = await Promise.all(
      shipments.map((trackingNumber) => waitForDeliveries(trackingNumber, 'delivered', 2, 20_000)),
    );
    await waitUntilQuiet(harness);

    const deliveryIds = delivered.flat().map((row) => row.deliveryId);
    const requests = shipments.flatMap((trackingNumber) => sink.requestsFor(trackingNumber));
    // Nothing lost, nothing twice, and retries never minted a new webhook-id.
    expect(new Set(requests.map((request) => request.webhookId))).toEqual(new Set(deliveryIds));
    expect([...appliedCounts(requests).values()]).toEqual(deliveryIds.map(() => 1));
    expectSigned(requests);

    for (const row of delivered.flat()) {
      const attempts = await attemptsOf(row.deliveryId);
      const answered = requests.filter((request) => request.webhookId === row.deliveryId);
      expect(row.attempts).toBe(attempts.length);
      expect(attempts.map((attempt) => attempt.attempt)).toEqual(attempts.map((_, i) => i + 1));
      expect(attempts.filter((attempt) => attempt.httpStatus !== null)).toHaveLength(
        answered.length,
      );
      expect(attempts.at(-1)).toMatchObject({ outcome: 'applied', httpStatus: 200 });
    }
    // Per shipment the later change never went out before the earlier one was applied.
    for (const trackingNumber of shipments) {
      const statuses = sink.requestsFor(trackingNumber).map((r) => r.body.data.tracking_status);
      expect(statuses.lastIndexOf('Dispatched')).toBeLessThan(statuses.indexOf('InTransit'));
    }

    const attempts = await attemptsOf(watchedId);
    const refused = attempts.slice(0, -4);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(
      refused.map(({ outcome, httpStatus, error }) => ({ outcome, httpStatus, error })),
    ).toEqual(
      refused.map(() => ({
        outcome: 'retry',
        httpStatus: null,
        error: 'network error: ECONNREFUSED',
      })),
    );
    expect(attempts.slice(-4)).toMatchObject([
      { outcome: 'retry', httpStatus: 500, error: 'HTTP 500', retryAfterMs: null },
      { outcome: 'retry', httpStatus: 500, error: 'HTTP 500', retryAfterMs: null },
      { outcome: 'retry', httpStatus: 429, error: 'HTTP 429', retryAfterMs: 1000 },
      { outcome: 'applied', httpStatus: 200, error: null, retryAfterMs: null },
    ]);
    const watchedRequests = requests.filter((request) => request.webhookId === watchedId);
    expect(watchedRequests.map((request) => request.status)).toEqual([500, 500, 429, 200]);
    const [, , tooMany, applied] = watchedRequests;
    const waitAfter429 = applied!.receivedAt - tooMany!.answeredAt!;
    expect(waitAfter429).toBeGreaterThanOrEqual(1000);

    // BullMQ never starts a retry early: each pause is at least the jittered step's floor,
    // half of DELIVERY_BACKOFF_MS·2^(n-1), and the 429's Retry-After where one was given.
    const pauses = attempts.slice(1).map((next, i) => ({
      after: i + 1,
      pausedMs: next.startedAt.getTime() - attempts[i]!.finishedAt.getTime(),
      floorMs: attempts[i]!.retryAfterMs ?? (BACKOFF_MS / 2) * 2 ** i,
    }));
    for (const pause of pauses) {
      expect(pause.pausedMs, `pause after attempt ${pause.after}`).toBeGreaterThanOrEqual(
        pause.floorMs,
      );
    }

    const start = attempts[0]!.startedAt.getTime();
    const timeline = attempts
      .map((a) => `#${a.attempt} +${a.startedAt.getTime() - start}ms ${a.httpStatus ?? a.error}`)
      .join(', ');
    process.stdout.write(
      `retry timeline (DELIVERY_BACKOFF_MS=${BACKOFF_MS}): ${timeline}; wait after 429: ${Math.round(waitAfter429)}ms\n`,
    );
  });

  it('marks a shipment unmatched on 404 and delivers with source_order_id once matched by hand', async () => {
    sink.script = (request) =>
      request.body.data.source_order_id === 'SRC-1' ? { status: 200 } : { status: 404 };
    const job = eventJob('UNM-1', 'Dispatched', 60);
    await ingest(job);
    const [unmatched] = await waitForDeliveries('UNM-1', 'unmatched', 1);
    // The row is written inside the job; BullMQ marks the job completed a moment after.
    await waitForJobState(harness.queues.delivery, unmatched!.deliveryId, 'completed');
    expect(await attemptsOf(unmatched!.deliveryId)).toMatchObject([
      { outcome: 'not_found', httpStatus: 404 },
    ]);
    const before = await findShipment(harness.db, 'UNM-1');
    expect(before?.unmatchedSince).toBeInstanceOf(Date);

    const [matchId] = (await matchShipment(schedule, 'UNM-1', 'SRC-1')) ?? [];
    expect(matchId).not.toBe(unmatched!.deliveryId);
    await waitFor('the match to be delivered', async () => {
      const rows = await deliveriesOf('UNM-1');
      return rows.find((row) => row.deliveryId === matchId)?.status === 'delivered';
    });

    const requests = sink.requestsFor('UNM-1');
    expect(requests.map((request) => [request.webhookId, request.status])).toEqual([
      [unmatched!.deliveryId, 404],
      [matchId, 200],
    ]);
    expect(requests[1]?.body.data).toMatchObject({
      source_order_id: 'SRC-1',
      tracking_status: 'Dispatched',
      order_number: 'SO-UNM-1',
    });
    expectSigned(requests);
    expect(await findShipment(harness.db, 'UNM-1')).toMatchObject({
      sourceOrderId: 'SRC-1',
      unmatchedSince: null,
    });
    expect((await deliveriesOf('UNM-1')).map((row) => row.reason)).toEqual(['change', 'match']);

    // The match outlives the event that follows it: later changes carry it too.
    await ingest(eventJob('UNM-1', 'InTransit', 120));
    const [, , next] = await waitFor('the next change to be delivered', async () => {
      const rows = await deliveriesOf('UNM-1');
      return rows[2]?.status === 'delivered' ? rows : null;
    });
    expect(sink.requestsFor('UNM-1').at(-1)).toMatchObject({
      webhookId: next!.deliveryId,
      status: 200,
      body: { data: { tracking_status: 'InTransit', source_order_id: 'SRC-1' } },
    });
    expect(await matchShipment(schedule, 'NO-SUCH-SHIPMENT', 'SRC-2')).toBeNull();
  });

  it('asks again about unmatched shipments, skipping one whose delivery is already pending', async () => {
    // The source system learns about a shipment's order after its first 404.
    sink.script = (request, earlier) => {
      const { tracking_number: trackingNumber } = request.body.data;
      const seen = earlier.some((e) => e.body.data.tracking_number === trackingNumber);
      return { status: seen ? 200 : 404 };
    };
    const unmatchedChange = eventJob('UNM-2', 'Dispatched', 60);
    await ingest(unmatchedChange);
    await ingest(eventJob('UNM-3', 'Dispatched', 60));
    await waitForDeliveries('UNM-2', 'unmatched', 1);
    await waitForDeliveries('UNM-3', 'unmatched', 1);
    // A change of UNM-3 stored but not yet enqueued: its delivery is pending.
    await recordTrackingEvent(harness.db, {
      ...eventJob('UNM-3', 'InTransit', 120),
      receivedAt: new Date(),
    });

    expect(await retryUnmatchedShipments(schedule)).toBe(1);
    const [first, retry] = await waitFor('the retry to be delivered', async () => {
      const rows = await deliveriesOf('UNM-2');
      return rows[1]?.status === 'delivered' ? rows : null;
    });
    expect(retry).toMatchObject({ reason: 'unmatched_retry', eventId: unmatchedChange.eventId });
    expect(sink.requestsFor('UNM-2').map((request) => request.webhookId)).toEqual([
      first!.deliveryId,
      retry!.deliveryId,
    ]);
    expect((await findShipment(harness.db, 'UNM-2'))?.unmatchedSince).toBeNull();
    expect(sink.requestsFor('UNM-2').map((request) => request.status)).toEqual([404, 200]);

    expect((await findShipment(harness.db, 'UNM-3'))?.unmatchedSince).toBeInstanceOf(Date);
    expect((await deliveriesOf('UNM-3')).map((row) => [row.reason, row.status])).toEqual([
      ['change', 'unmatched'],
      ['change', 'pending'],
    ]);
    expect(sink.requestsFor('UNM-3')).toHaveLength(1);
    expect(await retryUnmatchedShipments(schedule)).toBe(0);
  });

  it('fails a delivery on 400 after one attempt, keeps the job in the failed set, and delivers it on replay', async () => {
    sink.script = answersInTurn({ status: 400, body: '{"error":"bad order_number"}' });
    const job = eventJob('BAD-1', 'Dispatched', 60);
    await ingest(job);
    const [failed] = await waitForDeliveries('BAD-1', 'failed', 1);
    const failedJob = await waitForJobState(harness.queues.delivery, failed!.deliveryId, 'failed');

    expect(failedJob.attemptsMade).toBe(1);
    expect(failedJob.failedReason).toBe('HTTP 400: {"error":"bad order_number"}');
    expect(failed).toMatchObject({ attempts: 1, lastHttpStatus: 400 });
    expect(await attemptsOf(failed!.deliveryId)).toMatchObject([
      { attempt: 1, outcome: 'permanent', httpStatus: 400 },
    ]);

    sink.script = () => ({ status: 200 });
    const [replayId] = (await replayEvent(schedule, job.eventId)) ?? [];
    expect(replayId).toMatch(/^dlv_[0-9a-f]{32}$/);
    expect(replayId).not.toBe(failed!.deliveryId);
    const rows = await waitFor('the replay to be delivered', async () => {
      const found = await deliveriesOf('BAD-1');
      return found[1]?.status === 'delivered' ? found : null;
    });
    await waitUntilQuiet(harness);

    expect(rows.map((row) => [row.deliveryId, row.reason, row.status])).toEqual([
      [failed!.deliveryId, 'change', 'failed'],
      [replayId, 'replay', 'delivered'],
    ]);
    const requests = sink.requestsFor('BAD-1');
    expect(requests.map((request) => [request.webhookId, request.status])).toEqual([
      [failed!.deliveryId, 400],
      [replayId, 200],
    ]);
    expect(requests[1]?.body.data).toEqual(requests[0]?.body.data);
    expectSigned(requests);
    expect(await replayEvent(schedule, 'e'.repeat(64))).toBeNull();
  });

  it('delivers a failed delivery again under the same webhook-id when its job is retried', async () => {
    sink.script = answersInTurn({ status: 400 }, { status: 200 });
    await ingest(eventJob('RETRY-1', 'Dispatched', 60));
    const [failed] = await waitForDeliveries('RETRY-1', 'failed', 1);
    const failedJob = await waitForJobState(harness.queues.delivery, failed!.deliveryId, 'failed');

    // What Bull Board's "Retry" button does.
    await failedJob.retry();
    await waitForDeliveries('RETRY-1', 'delivered', 1);
    await waitUntilQuiet(harness);

    expect(
      sink.requestsFor('RETRY-1').map((request) => [request.webhookId, request.status]),
    ).toEqual([
      [failed!.deliveryId, 400],
      [failed!.deliveryId, 200],
    ]);
  });

  describe('ordering of one shipment', () => {
    /** Posts the journey in order, each as soon as the previous one is stored. */
    async function postJourney(trackingNumber: string) {
      for (const [index, status] of JOURNEY.entries()) {
        expect(await ingest(eventJob(trackingNumber, status, 60 + index))).toMatchObject({
          result: 'applied',
        });
      }
      return waitForDeliveries(trackingNumber, 'delivered', JOURNEY.length, 20_000);
    }

    /**
     * Waiting for an earlier change is not a failed attempt: every job used exactly the
     * attempts recorded for its delivery, and none failed along the way.
     */
    async function expectWaitsCostNoAttempts(deliveryIds: readonly string[]) {
      for (const deliveryId of deliveryIds) {
        const job = await harness.queues.delivery.getJob(deliveryId);
        expect({ deliveryId, attemptsMade: job?.attemptsMade }).toEqual({
          deliveryId,
          attemptsMade: (await attemptsOf(deliveryId)).length,
        });
      }
      const failures = harness.lines.filter(
        (line) => line.msg === 'job failed, will retry' && deliveryIds.includes(String(line.jobId)),
      );
      expect(failures.map((line) => line.err)).toEqual([]);
    }

    /** No two requests of the shipment were ever in flight at once, and none went backwards. */
    function expectOneAtATimeInOrder(requests: readonly SinkRequest[]) {
      for (const [index, request] of requests.entries()) {
        const previous = requests[index - 1];
        if (!previous) continue;
        expect(request.receivedAt).toBeGreaterThanOrEqual(previous.answeredAt!);
        expect(statusRank(request.body.data.tracking_status)).toBeGreaterThanOrEqual(
          statusRank(previous.body.data.tracking_status),
        );
      }
    }

    it('sends the changes in order, one at a time, to a slow source system', async () => {
      sink.script = () => ({ status: 200, delayMs: 100 });
      const rows = await postJourney('ORD-1');
      await waitUntilQuiet(harness);

      const requests = sink.requestsFor('ORD-1');
      expect(requests.map((request) => request.body.data.tracking_status)).toEqual(JOURNEY);
      expect(requests.map((request) => request.webhookId)).toEqual(
        rows.map((row) => row.deliveryId),
      );
      expect(requests.every(isApplied)).toBe(true);
      expectOneAtATimeInOrder(requests);
      await expectWaitsCostNoAttempts(rows.map((row) => row.deliveryId));
    });

    it('parks a later change without its lock while the earlier one is in flight, and sends it as soon as that one is applied', async () => {
      sink.script = answersInTurn({ hold: true });
      await ingest(eventJob('ORD-3', 'Printed', 60));
      await ingest(eventJob('ORD-3', 'Dispatched', 61));
      const [printed, dispatched] = await deliveriesOf('ORD-3');
      await waitFor('Printed to be in flight', () => sink.requestsFor('ORD-3').length === 1);
      const parked = await waitForJobState(
        harness.queues.delivery,
        dispatched!.deliveryId,
        'delayed',
      );

      expect(parked.attemptsMade).toBe(0);
      const lockKey = `${harness.config.QUEUE_PREFIX}:delivery:${dispatched!.deliveryId}:lock`;
      expect(await harness.connection.exists(lockKey)).toBe(0);
      expect(sink.requestsFor('ORD-3')).toHaveLength(1);

      sink.script = () => ({ status: 200 });
      sink.releaseHeld(200);
      await waitForDeliveries('ORD-3', 'delivered', 2);
      const [first, second] = sink.requestsFor('ORD-3');
      expect([first?.webhookId, second?.webhookId]).toEqual([
        printed!.deliveryId,
        dispatched!.deliveryId,
      ]);
      // Promoted by the delivery before it, not woken by its own 10 s timer.
      expect(second!.receivedAt - first!.answeredAt!).toBeLessThan(2_000);
    });

    it('holds the later changes back while the first one is retried', async () => {
      let firstId = '';
      const first = answersInTurn(
        { status: 503 },
        { status: 503 },
        { status: 503 },
        { status: 200, delayMs: 100 },
      );
      sink.script = (request, earlier) => {
        firstId ||= request.webhookId;
        return request.webhookId === firstId
          ? first(request, earlier)
          : { status: 200, delayMs: 100 };
      };
      await postJourney('ORD-2');
      await waitUntilQuiet(harness);

      const requests = sink.requestsFor('ORD-2');
      expect(
        requests.map((request) => [request.body.data.tracking_status, request.status]),
      ).toEqual([
        ['Printed', 503],
        ['Printed', 503],
        ['Printed', 503],
        ['Printed', 200],
        ['Dispatched', 200],
        ['InTransit', 200],
        ['OutForDelivery', 200],
        ['Delivered', 200],
      ]);
      expectOneAtATimeInOrder(requests);
      expect([...appliedCounts(requests).values()]).toEqual([1, 1, 1, 1, 1]);
    });
  });
});
