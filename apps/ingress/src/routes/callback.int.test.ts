import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { postWebhook, sign } from '../../test/ingress-harness';
import {
  GUIDE_EXAMPLE,
  NEW_SECRET,
  OLD_SECRET,
  json,
  useSignedIngress,
} from '../../test/signed-ingress';

describe('POST /callback/ accepting signed tracking events', () => {
  const ingress = useSignedIngress();
  const eventIdOf = async (response: Response) =>
    ((await response.json()) as { event_id: string }).event_id;

  it("accepts the guide's example and enqueues exactly one tracking-event job under its event id", async () => {
    const response = await ingress.post(json(GUIDE_EXAMPLE));
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { status: string; event_id: string };
    expect(answer.status).toBe('accepted');
    expect(answer.event_id).toMatch(/^[0-9a-f]{64}$/);

    const jobs = await ingress.app.jobs('tracking-event');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.id).toBe(answer.event_id);
    expect(jobs[0]!.name).toBe('tracking-event');
    expect(jobs[0]!.data).toMatchObject({
      eventId: answer.event_id,
      source: 'webhook',
      payload: GUIDE_EXAMPLE,
      event: {
        orderNumber: 'API-TEST-1001',
        trackingNumber: 'TESTTRACK123',
        trackingStatus: 'Dispatched',
        statusKnown: true,
        lastUpdatedDate: '2026-06-18T09:35:00Z',
      },
    });
    expect(await ingress.app.jobs('parked-payload')).toHaveLength(0);
  });

  it('answers /callback without the trailing slash the same way', async () => {
    expect((await ingress.post(json(GUIDE_EXAMPLE), { path: '/callback' })).status).toBe(200);
  });

  it('keeps one job when the same event is posted 1,000 times, many at once', async () => {
    const body = json(GUIDE_EXAMPLE);
    const eventIds = new Set<string>();
    const statuses = new Set<number>();
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => ingress.post(body)));
      for (const response of responses) {
        statuses.add(response.status);
        eventIds.add(await eventIdOf(response));
      }
    }
    expect([...statuses]).toEqual([200]);
    expect(eventIds.size).toBe(1);
    const jobs = await ingress.app.jobs('tracking-event');
    expect(jobs.map((job) => job.id)).toEqual([...eventIds]);
  });

  it('gives the same event id to 09:35:00Z and 09:35:00.0000000Z', async () => {
    const plain = await ingress.post(json(GUIDE_EXAMPLE));
    const precise = await ingress.post(
      json({ ...GUIDE_EXAMPLE, last_updated_date: '2026-06-18T09:35:00.0000000Z' }),
    );
    expect(await eventIdOf(plain)).toBe(await eventIdOf(precise));
    expect(await ingress.app.jobs('tracking-event')).toHaveLength(1);
  });

  it('accepts an order_number sent as a number', async () => {
    const response = await ingress.post(json({ ...GUIDE_EXAMPLE, order_number: 1001 }));
    expect(response.status).toBe(200);
    const [job] = await ingress.app.jobs('tracking-event');
    expect(job!.data).toMatchObject({
      event: { orderNumber: '1001' },
      payload: { order_number: 1001 },
    });
  });

  it('accepts an unknown tracking status as sent, counts it and warns', async () => {
    const response = await ingress.post(
      json({ ...GUIDE_EXAMPLE, tracking_status: 'TeleportedHome' }),
    );
    expect(response.status).toBe(200);
    const [job] = await ingress.app.jobs('tracking-event');
    expect(job!.data).toMatchObject({
      event: { trackingStatus: 'TeleportedHome', statusKnown: false },
    });
    const counter = await ingress.app.metrics.accepted.get();
    const unknown = counter.values.find((value) => value.labels.tracking_status === 'unknown');
    expect(unknown?.value).toBe(1);
    const warnings = ingress.app.logs.filter(
      (line) => line.level === 40 && line.msg.includes('unknown tracking status'),
    );
    expect(warnings).toMatchObject([{ trackingStatus: 'TeleportedHome' }]);
  });

  it('keeps unknown extra fields in the payload', async () => {
    await ingress.post(json({ ...GUIDE_EXAMPLE, order_reference: 'REF-1', metadata: { a: 1 } }));
    const [job] = await ingress.app.jobs('tracking-event');
    expect(job!.data).toMatchObject({
      payload: { order_reference: 'REF-1', metadata: { a: 1 } },
    });
  });

  it('accepts a signature made with either secret during a rotation', async () => {
    const body = json(GUIDE_EXAMPLE);
    expect((await ingress.post(body, { secret: OLD_SECRET })).status).toBe(200);
    expect((await ingress.post(body, { secret: NEW_SECRET })).status).toBe(200);
    const prefixedBase64 = await postWebhook(ingress.app, body, {
      headers: { 'x-starshipit-signature': `sha256=${sign(body, OLD_SECRET, 'base64')}` },
    });
    expect(prefixedBase64.status).toBe(200);
  });

  it('reads a gzip-encoded body and checks the signature on the decoded bytes', async () => {
    const body = json(GUIDE_EXAMPLE);
    const response = await postWebhook(ingress.app, gzipSync(body), {
      headers: { 'content-encoding': 'gzip', 'x-starshipit-signature': sign(body, NEW_SECRET) },
    });
    expect(response.status).toBe(200);
  });

  it('never writes a secret or a signature to the log', () => {
    ingress.expectNoSecretsLogged();
  });
});
