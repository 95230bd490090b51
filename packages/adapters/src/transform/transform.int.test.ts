import { startFakeErp, startLocalServer, type FakeErp } from '@tracksync/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveredUpdate } from '../../test/fixtures/shipment-update';
import { createAuthenticator } from '../auth/auth';
import { createHttpAdapter } from '../http/adapter';
import type { Transformation } from './request';

let erp: FakeErp;

/** The ERP's own API: one PUT per order, the delivery id as its idempotency key. */
const perOrder =
  (base: () => string): Transformation =>
  (change) => ({
    method: 'PUT',
    url: `${base()}/api/orders/${encodeURIComponent(change.order_number)}/shipment`,
    headers: { 'Idempotency-Key': change.delivery_id },
    body: { status: change.tracking_status, tracking: change.tracking_number },
  });

function erpAdapter(transform: Transformation = perOrder(() => erp.url)) {
  const auth = createAuthenticator(
    {
      type: 'oauth2_client_credentials',
      token_url: erp.tokenUrl,
      client_id: erp.clientId,
      client_secret: erp.clientSecret,
    },
    { timeoutMs: 2_000 },
  );
  return createHttpAdapter({ name: 'erp', timeoutMs: 2_000, transform, auth });
}

beforeAll(async () => {
  erp = await startFakeErp();
});
afterAll(() => erp.close());
beforeEach(() => {
  erp.failWith = null;
});

describe('http adapter with a transformation and OAuth2 client credentials', () => {
  it('sends the request the transformation built to the per-order URL, with a bearer token', async () => {
    const outcome = await erpAdapter().apply({ ...deliveredUpdate, deliveryId: 'dlv_order_url' });
    expect(outcome).toEqual({ kind: 'applied', httpStatus: 200 });
    expect(erp.applied.at(-1)).toEqual({
      orderNumber: deliveredUpdate.orderNumber,
      idempotencyKey: 'dlv_order_url',
      body: { status: 'Delivered', tracking: deliveredUpdate.trackingNumber },
    });
  });

  it('fetches one token and reuses it until it expires', async () => {
    const adapter = erpAdapter();
    const before = erp.tokensIssued();
    for (const n of [1, 2, 3])
      await adapter.apply({ ...deliveredUpdate, deliveryId: `dlv_cache_${n}` });
    expect(erp.tokensIssued() - before).toBe(1);
  });

  it('fetches a fresh token once after a 401 and delivers with it', async () => {
    const adapter = erpAdapter();
    await adapter.apply({ ...deliveredUpdate, deliveryId: 'dlv_refresh_1' });
    const before = erp.tokensIssued();
    erp.revokeTokens();
    const outcome = await adapter.apply({ ...deliveredUpdate, deliveryId: 'dlv_refresh_2' });
    expect(outcome.kind).toBe('applied');
    expect(erp.tokensIssued() - before).toBe(1);
  });

  it('asks for a new token when the cached one is about to expire', async () => {
    const shortLived = await startFakeErp({ expiresIn: 20 });
    try {
      const auth = createAuthenticator(
        {
          type: 'oauth2_client_credentials',
          token_url: shortLived.tokenUrl,
          client_id: shortLived.clientId,
          client_secret: shortLived.clientSecret,
        },
        { timeoutMs: 2_000 },
      );
      const adapter = createHttpAdapter({
        timeoutMs: 2_000,
        transform: perOrder(() => shortLived.url),
        auth,
      });
      await adapter.apply({ ...deliveredUpdate, deliveryId: 'dlv_short_1' });
      await adapter.apply({ ...deliveredUpdate, deliveryId: 'dlv_short_2' });
      // 20 s is inside the 30 s safety margin: each delivery gets a fresh token.
      expect(shortLived.tokensIssued()).toBe(2);
    } finally {
      await shortLived.close();
    }
  });

  it('retries later, without echoing the secret, when the token endpoint refuses the client', async () => {
    const auth = createAuthenticator(
      {
        type: 'oauth2_client_credentials',
        token_url: erp.tokenUrl,
        client_id: erp.clientId,
        client_secret: 'wrong-secret-value',
      },
      { timeoutMs: 2_000 },
    );
    const adapter = createHttpAdapter({
      timeoutMs: 2_000,
      transform: perOrder(() => erp.url),
      auth,
    });
    const outcome = await adapter.apply(deliveredUpdate);
    expect(outcome).toEqual({ kind: 'retry', reason: 'token endpoint answered HTTP 401' });
    expect(JSON.stringify(outcome)).not.toContain('wrong-secret-value');
  });

  it('fails permanently, with the error, when the transformation throws', async () => {
    const adapter = erpAdapter(() => {
      throw new Error('no ERP mapping for carrier NZ Post');
    });
    expect(await adapter.apply(deliveredUpdate)).toEqual({
      kind: 'permanent',
      reason: 'transformation threw: no ERP mapping for carrier NZ Post',
    });
  });

  it.each([
    ['a relative URL', { method: 'PUT', url: '/orders/1' }, 'url: must be an absolute http(s) URL'],
    ['an unknown method', { method: 'FETCH', url: 'http://127.0.0.1/' }, 'method:'],
    ['nothing', undefined, 'result:'],
    ['a body with GET', { method: 'GET', url: 'http://127.0.0.1/', body: {} }, 'body with GET'],
  ])('fails permanently when the transformation returns %s', async (_what, produced, reason) => {
    const adapter = erpAdapter(() => produced as never);
    const outcome = await adapter.apply(deliveredUpdate);
    expect(outcome.kind).toBe('permanent');
    expect('reason' in outcome ? outcome.reason : '').toContain(reason);
  });
});

describe('a dry run', () => {
  it('refuses what a delivery would refuse: a body with GET', async () => {
    const adapter = erpAdapter(() => ({ method: 'GET', url: 'http://127.0.0.1/', body: {} }));
    await expect(adapter.preview?.(deliveredUpdate)).rejects.toThrow('body: a body with GET');
  });
});

describe('built-in authentication', () => {
  it.each([
    [{ type: 'bearer', token: 'tkn-1' } as const, 'authorization', 'Bearer tkn-1'],
    [
      { type: 'basic', username: 'u', password: 'p' } as const,
      'authorization',
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    ],
    [{ type: 'api_key', header: 'X-Api-Key', value: 'k-9' } as const, 'x-api-key', 'k-9'],
  ])('adds %o to every request', async (config, header, value) => {
    const seen: (string | undefined)[] = [];
    const server = await startLocalServer((request) => {
      seen.push(request.headers[header] as string | undefined);
      return { status: 204 };
    });
    try {
      const adapter = createHttpAdapter({
        url: server.url,
        timeoutMs: 2_000,
        auth: createAuthenticator(config, { timeoutMs: 2_000 }),
      });
      expect((await adapter.apply(deliveredUpdate)).kind).toBe('applied');
      expect(seen).toEqual([value]);
    } finally {
      await server.close();
    }
  });
});
