import { describe, expect, it } from 'vitest';
import { postWebhook, sign } from '../../test/ingress-harness';
import { GUIDE_EXAMPLE, json, useSignedIngress } from '../../test/signed-ingress';

describe('POST /callback/ rejecting what it cannot accept', () => {
  const ingress = useSignedIngress();
  const expectNoEvent = async () => {
    expect(await ingress.app.jobs('tracking-event')).toHaveLength(0);
  };

  it.each([
    ['is missing', {}],
    ['is wrong', { 'x-starshipit-signature': sign(json(GUIDE_EXAMPLE), 'some-other-secret') }],
    ['is garbage', { 'x-starshipit-signature': 'sha256=not-hex-at-all' }],
  ])(
    'returns 401, enqueues nothing and parks nothing when the signature %s',
    async (_case, headers) => {
      const response = await postWebhook(ingress.app, json(GUIDE_EXAMPLE), { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'invalid_signature' });
      await expectNoEvent();
      expect(await ingress.app.jobs('parked-payload')).toHaveLength(0);
    },
  );

  it('checks the signature before parsing: an unsigned non-JSON body gets 401, not 400', async () => {
    const response = await postWebhook(ingress.app, 'not json');
    expect(response.status).toBe(401);
    expect(await ingress.app.jobs('parked-payload')).toHaveLength(0);
  });

  it('returns 400, enqueues no event and parks the raw body when signed JSON is broken', async () => {
    const broken = '{"order_number": "API-TEST-1001", ';
    const response = await ingress.post(broken);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_json' });
    await expectNoEvent();
    const parked = await ingress.app.jobs('parked-payload');
    expect(parked).toHaveLength(1);
    expect(parked[0]!.data).toMatchObject({ reason: 'invalid_json', body: broken });
  });

  it('returns 422 listing the paths, enqueues no event and parks the body when the shape is wrong', async () => {
    const body = json({ ...GUIDE_EXAMPLE, tracking_number: undefined, last_updated_date: 'soon' });
    const response = await ingress.post(body);
    expect(response.status).toBe(422);
    const answer = (await response.json()) as {
      error: string;
      issues: { path: string; message: string }[];
    };
    expect(answer.error).toBe('invalid_payload');
    expect(answer.issues.map((issue) => issue.path)).toContain('tracking_number');
    expect(Object.keys(answer.issues[0]!)).toEqual(['path', 'message']);
    expect(answer.issues.every((issue) => issue.message.length > 0)).toBe(true);
    await expectNoEvent();
    const parked = await ingress.app.jobs('parked-payload');
    expect(parked).toHaveLength(1);
    expect(parked[0]!.data).toMatchObject({ reason: 'invalid_payload', body });
  });

  it.each([
    ['an array', '[1,2]'],
    ['a number', '42'],
    ['null', 'null'],
  ])('returns 422 for a JSON body that is %s', async (_case, body) => {
    const response = await ingress.post(body);
    expect(response.status).toBe(422);
    await expectNoEvent();
  });

  it('returns 413 and enqueues nothing when the body is over MAX_BODY_BYTES', async () => {
    const response = await ingress.post(json({ ...GUIDE_EXAMPLE, padding: 'x'.repeat(4096) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'payload_too_large' });
    await expectNoEvent();
    expect(await ingress.app.jobs('parked-payload')).toHaveLength(0);
  });

  it('returns 415 for an unknown content encoding and 400 for a corrupt gzip body', async () => {
    const unknown = await ingress.post(json(GUIDE_EXAMPLE), {
      headers: { 'content-encoding': 'snappy' },
    });
    expect(unknown.status).toBe(415);
    expect(await unknown.json()).toEqual({ error: 'unsupported_content_encoding' });
    const corrupt = await ingress.post('definitely not gzip', {
      headers: { 'content-encoding': 'gzip' },
    });
    expect(corrupt.status).toBe(400);
    expect(await corrupt.json()).toEqual({ error: 'unreadable_body' });
    await expectNoEvent();
  });

  it('logs each rejection once, with the body made safe', async () => {
    const before = ingress.app.logs.length;
    await postWebhook(ingress.app, '{"evil":"line\\nbreak"}\n{"forged":true}');
    const lines = ingress.app.logs.slice(before).filter((line) => line.msg === 'webhook rejected');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      reason: 'invalid_signature',
      status: 401,
      body: { text: '{"evil":"line\\nbreak"}\\n{"forged":true}', bytes: 38, truncated: false },
    });
  });

  it('counts rejections by reason and parked payloads in /metrics', async () => {
    const series = [
      'tracksync_ingress_webhooks_rejected_total{reason="invalid_signature"}',
      'tracksync_ingress_webhooks_rejected_total{reason="invalid_json"}',
      'tracksync_ingress_payloads_parked_total{reason="invalid_json"}',
      'tracksync_ingress_http_requests_total{route="/callback",status="401"}',
    ];
    const read = async () => {
      const text = await (await fetch(`${ingress.app.url}/metrics`)).text();
      const lines = new Map(text.split('\n').map((line) => [line.split(' ')[0], line]));
      return series.map((name) => Number(lines.get(name)?.split(' ')[1] ?? 0));
    };
    const before = await read();
    await postWebhook(ingress.app, json(GUIDE_EXAMPLE));
    await ingress.post('{"counted": ');
    const after = await read();
    expect(after.map((value, index) => value - (before[index] ?? 0))).toEqual([1, 1, 1, 1]);
  });

  it('never writes a secret or a signature to the log', () => {
    ingress.expectNoSecretsLogged();
  });
});
