import { shipments } from '@tracksync/db';
import { enqueue } from '@tracksync/queue';
import { afterEach, describe, expect, it } from 'vitest';
import {
  minutesAgo,
  newTrackingNumber,
  requestsTo,
  shippedRow,
  SINK_SECRET,
  startReconcileFixture,
  trackedNumbers,
  trackResult,
  webhookPayload,
  zoneless,
  type ReconcileFixture,
} from '../../test/reconcile-fixture';
import { trackingEventJob } from '../../test/harness';
import { verifySinkRequest } from '../../test/sink';

let current: ReconcileFixture | undefined;

async function start(env: Record<string, string> = {}): Promise<ReconcileFixture> {
  current = await startReconcileFixture({ env });
  return current;
}

afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('reconciliation run: orders no webhook reported', () => {
  it('stores a delivered order it finds as one poll event dated by /api/track, delivers it once, and finds nothing new on the next run', async () => {
    const fx = await start();
    const trackingNumber = newTrackingNumber();
    const deliveredAt = zoneless(minutesAgo(90));
    const row = shippedRow({ trackingNumber, status: 'Delivered' });
    fx.fake.shippedOrders = [row];
    fx.fake.tracks = [
      trackResult({ trackingNumber, status: 'Delivered', lastUpdated: deliveredAt }),
    ];

    const first = await fx.run();
    await fx.settle();

    expect(first).toMatchObject({ errors: [], eventsFound: 1, pages: 1 });
    expect(trackedNumbers(fx.fake)).toEqual([trackingNumber]);
    const events = await fx.eventsOf(trackingNumber);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: 'poll',
      orderNumber: `SO-${trackingNumber}`,
      orderReference: `REF-${trackingNumber}`,
      trackingStatus: 'Delivered',
      // The carrier's own update time from /api/track, not the label time of the shipped row.
      lastUpdatedDate: `${deliveredAt}Z`,
      result: 'applied',
    });
    expect(events[0]?.payload).toMatchObject({ starshipit_order_id: row.order_id });
    expect(await fx.shipmentOf(trackingNumber)).toMatchObject({
      trackingStatus: 'Delivered',
      lastUpdatedDate: `${deliveredAt}Z`,
    });
    const delivered = await fx.deliveriesOf(trackingNumber);
    expect(delivered.map((delivery) => delivery.status)).toEqual(['delivered']);
    const sent = fx.sink.requestsFor(trackingNumber);
    expect(sent).toHaveLength(1);
    expect(() => verifySinkRequest(SINK_SECRET, sent[0]!)).not.toThrow();
    expect(sent[0]?.body.data).toMatchObject({
      order_number: `SO-${trackingNumber}`,
      order_reference: `REF-${trackingNumber}`,
      tracking_status: 'Delivered',
      last_updated_date: `${deliveredAt}Z`,
    });

    const requestsBefore = fx.fake.requests.length;
    const second = await fx.run();
    await fx.settle();

    expect(second).toMatchObject({ errors: [], eventsFound: 0, requests: 2 });
    // Only the two lists: the row now agrees with stored state, so no /api/track call.
    expect(fx.fake.requests.slice(requestsBefore).map((request) => request.path)).toEqual([
      '/api/orders/shipped',
      '/api/orders/shipments',
    ]);
    expect(await fx.eventsOf(trackingNumber)).toHaveLength(1);
    expect(await fx.deliveriesOf(trackingNumber)).toHaveLength(1);
    expect(fx.sink.requestsFor(trackingNumber)).toHaveLength(1);
  });

  it('asks only for the list pages when none of 1,000 shipped orders differs from stored state', async () => {
    const fx = await start();
    const updatedAt = minutesAgo(10);
    const rows = Array.from({ length: 1_000 }, (_, n) => ({
      trackingNumber: newTrackingNumber('SAME'),
      status: n % 2 === 0 ? 'Delivered' : 'InTransit',
    }));
    // Seeded straight into the projection: only what a run compares against matters here.
    await fx.harness.db.insert(shipments).values(
      rows.map(({ trackingNumber, status }) => ({
        trackingNumber,
        orderNumber: `SO-${trackingNumber}`,
        trackingStatus: status,
        lastUpdatedDate: updatedAt.toISOString(),
        lastUpdatedAt: updatedAt,
        lastEventId: 'seeded',
      })),
    );
    fx.fake.shippedOrders = rows.map(({ trackingNumber, status }) =>
      // The list's spaced spelling must compare equal to the stored canonical one.
      shippedRow({ trackingNumber, status: status === 'InTransit' ? 'In Transit' : status }),
    );

    const run = await fx.run();

    // Four shipped pages and the (empty) recently printed list; an empty page is not counted.
    expect(run).toMatchObject({ errors: [], eventsFound: 0, pages: 4, requests: 5 });
    expect(requestsTo(fx.fake, '/api/orders/shipped').map((r) => r.query.get('page'))).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
    expect(requestsTo(fx.fake, '/api/track')).toEqual([]);
    expect(await fx.harness.queues.ingest.getJobCounts('waiting', 'completed')).toEqual({
      waiting: 0,
      completed: 0,
    });
  });
});

describe('reconciliation run: the same event from a webhook and a poll', () => {
  it('drops a poll that restates the event a webhook already stored', async () => {
    const fx = await start();
    const trackingNumber = newTrackingNumber();
    const at = minutesAgo(48 * 60);
    await fx.ingestWebhook(
      webhookPayload({ trackingNumber, status: 'Dispatched', at: `${zoneless(at)}.0000000Z` }),
    );
    await fx.settle();
    // Silent for two days: the run asks /api/track, which reports the very same update.
    fx.fake.tracks = [
      trackResult({ trackingNumber, status: 'Dispatched', lastUpdated: zoneless(at) }),
    ];

    const run = await fx.run();
    await fx.settle();

    expect(run).toMatchObject({ errors: [], shipmentsPolled: 1, eventsFound: 0 });
    expect(trackedNumbers(fx.fake)).toEqual([trackingNumber]);
    const events = await fx.eventsOf(trackingNumber);
    expect(events.map((event) => event.source)).toEqual(['webhook']);
    expect(await fx.deliveriesOf(trackingNumber)).toHaveLength(1);
    expect(fx.sink.requestsFor(trackingNumber)).toHaveLength(1);
  });

  it('stores once and delivers once when the poll finds an event whose webhook is still queued', async () => {
    const fx = await start();
    const trackingNumber = newTrackingNumber();
    const at = zoneless(minutesAgo(30));
    const ingest = fx.workers!.workers.ingest;
    await ingest.pause();
    const webhook = webhookPayload({ trackingNumber, status: 'Delivered', at: `${at}Z` });
    const { eventId } = await enqueueWebhook(fx, webhook);
    fx.fake.shippedOrders = [shippedRow({ trackingNumber, status: 'Delivered' })];
    fx.fake.tracks = [trackResult({ trackingNumber, status: 'Delivered', lastUpdated: at })];

    const run = await fx.run();
    await ingest.resume();
    await fx.settle();

    expect(run.errors).toEqual([]);
    expect(trackedNumbers(fx.fake)).toEqual([trackingNumber]);
    expect((await fx.harness.queues.ingest.getJob(eventId))?.data).toMatchObject({
      source: 'webhook',
    });
    const events = await fx.eventsOf(trackingNumber);
    expect(events.map((event) => [event.eventId, event.source])).toEqual([[eventId, 'webhook']]);
    expect(await fx.deliveriesOf(trackingNumber)).toHaveLength(1);
    expect(fx.sink.requestsFor(trackingNumber)).toHaveLength(1);
  });

  it('treats a webhook that arrives after the poll stored its event as a duplicate, even once Redis has forgotten the job', async () => {
    const fx = await start();
    const trackingNumber = newTrackingNumber();
    const at = zoneless(minutesAgo(30));
    fx.fake.shippedOrders = [shippedRow({ trackingNumber, status: 'Delivered' })];
    fx.fake.tracks = [trackResult({ trackingNumber, status: 'Delivered', lastUpdated: at })];
    await fx.run();
    await fx.settle();
    const [polled] = await fx.eventsOf(trackingNumber);
    expect(polled?.source).toBe('poll');
    // Completed jobs are trimmed after a day; the database must still recognise the event.
    await fx.harness.queues.ingest.remove(polled!.eventId);

    const late = await fx.ingestWebhook(
      webhookPayload({ trackingNumber, status: 'Delivered', at: `${at}.0000000Z` }),
    );
    await fx.settle();

    expect(late).toEqual({ result: 'duplicate' });
    const events = await fx.eventsOf(trackingNumber);
    expect(events.map((event) => [event.eventId, event.source])).toEqual([
      [polled!.eventId, 'poll'],
    ]);
    expect(await fx.deliveriesOf(trackingNumber)).toHaveLength(1);
    expect(fx.sink.requestsFor(trackingNumber)).toHaveLength(1);
  });
});

describe('reconciliation run: silent shipments', () => {
  it('polls only shipments silent for longer than STALE_AFTER and applies what /api/track knows', async () => {
    const fx = await start({ STALE_AFTER: '1h' });
    const stale = newTrackingNumber('STALE');
    const staleUnchanged = newTrackingNumber('STALE');
    const staleUnknown = newTrackingNumber('STALE');
    const fresh = newTrackingNumber('FRESH');
    const delivered = newTrackingNumber('DONE');
    const seeds = [
      { trackingNumber: stale, status: 'InTransit', at: minutesAgo(120) },
      { trackingNumber: staleUnchanged, status: 'InTransit', at: minutesAgo(180) },
      { trackingNumber: staleUnknown, status: 'Dispatched', at: minutesAgo(240) },
      { trackingNumber: fresh, status: 'InTransit', at: minutesAgo(5) },
      { trackingNumber: delivered, status: 'Delivered', at: minutesAgo(120) },
    ];
    for (const seed of seeds) {
      await fx.ingestWebhook(webhookPayload({ ...seed, at: seed.at.toISOString() }));
    }
    await fx.settle();
    const outForDeliveryAt = zoneless(minutesAgo(30));
    fx.fake.tracks = [
      trackResult({
        trackingNumber: stale,
        status: 'Out For Delivery',
        lastUpdated: outForDeliveryAt,
      }),
      trackResult({
        trackingNumber: staleUnchanged,
        status: 'In Transit',
        lastUpdated: zoneless(seeds[1]!.at),
      }),
      trackResult({
        trackingNumber: fresh,
        status: 'Delivered',
        lastUpdated: zoneless(minutesAgo(1)),
      }),
      trackResult({
        trackingNumber: delivered,
        status: 'Delivered',
        lastUpdated: zoneless(seeds[4]!.at),
      }),
    ];

    const first = await fx.run();
    await fx.settle();

    // Oldest silence first; the fresh and the delivered shipment are not asked about. The
    // one Starshipit has no details for (404) is news about that shipment, not a failed run.
    expect(trackedNumbers(fx.fake)).toEqual([staleUnknown, staleUnchanged, stale]);
    expect(requestsTo(fx.fake, '/api/track').map((request) => request.status)).toEqual([
      404, 200, 200,
    ]);
    expect(first).toMatchObject({ errors: [], shipmentsPolled: 3, eventsFound: 1 });
    expect(await fx.shipmentOf(stale)).toMatchObject({
      trackingStatus: 'OutForDelivery',
      lastUpdatedDate: `${outForDeliveryAt}Z`,
      lastPolledAt: expect.any(Date) as Date,
    });
    expect((await fx.eventsOf(stale)).map((event) => [event.trackingStatus, event.source])).toEqual(
      [
        ['InTransit', 'webhook'],
        ['OutForDelivery', 'poll'],
      ],
    );
    expect(fx.sink.requestsFor(stale).map((request) => request.body.data.tracking_status)).toEqual([
      'InTransit',
      'OutForDelivery',
    ]);
    for (const untouched of [staleUnknown, staleUnchanged, fresh, delivered]) {
      expect(await fx.eventsOf(untouched)).toHaveLength(1);
      expect(fx.sink.requestsFor(untouched)).toHaveLength(1);
    }
    expect((await fx.shipmentOf(fresh))?.lastPolledAt).toBeNull();
    expect((await fx.shipmentOf(delivered))?.lastPolledAt).toBeNull();

    // Polled just now, the unchanged one waits another STALE_AFTER before it is asked again.
    const second = await fx.run();
    expect(second).toMatchObject({ errors: [], shipmentsPolled: 0 });
    expect(trackedNumbers(fx.fake)).toEqual([staleUnknown, staleUnchanged, stale]);
  });
});

/** Adds a webhook's job as the ingress would, without waiting for it. */
async function enqueueWebhook(fx: ReconcileFixture, payload: Record<string, unknown>) {
  const job = trackingEventJob(payload);
  await enqueue(fx.harness.queues, 'tracking-event', job);
  return job;
}
