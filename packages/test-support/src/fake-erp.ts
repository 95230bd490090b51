import { basicCredentials, startLocalServer, type LocalRequest } from './local-http';

/** One shipment update the fake ERP applied (its first 2xx for that idempotency key). */
export interface ErpUpdate {
  readonly orderNumber: string;
  readonly idempotencyKey: string;
  readonly body: Record<string, unknown>;
}

export interface FakeErp {
  readonly url: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Updates applied, in order; a repeat of an idempotency key answers 409 and is not added. */
  readonly applied: ErpUpdate[];
  /** Every call to the orders API (not the token endpoint), with its answer. */
  readonly calls: { orderNumber: string; status: number }[];
  /** Tokens issued so far. */
  tokensIssued(): number;
  /** Invalidates every issued token: the next call with one gets 401. */
  revokeTokens(): void;
  /** Decides a failure for a call before it is applied (e.g. a flapping 503); null to apply. */
  failWith: ((request: LocalRequest, callIndex: number) => number | null) | null;
  close(): Promise<void>;
}

/**
 * An ERP with an OAuth 2.0 client-credentials token endpoint (`POST /oauth/token`, client
 * authenticated by HTTP Basic, RFC 6749 §4.4) and a per-order endpoint
 * (`PUT /api/orders/{order_number}/shipment`) that wants a bearer token and an
 * `Idempotency-Key`. `expiresIn` is the tokens' lifetime in seconds.
 */
export async function startFakeErp(options: { expiresIn?: number } = {}): Promise<FakeErp> {
  const clientId = 'tracksync-client';
  const clientSecret = `erp-secret-${Math.random().toString(36).slice(2)}`;
  const valid = new Set<string>();
  let issued = 0;
  const erp: Omit<FakeErp, 'url' | 'tokenUrl' | 'close'> = {
    clientId,
    clientSecret,
    applied: [],
    calls: [],
    tokensIssued: () => issued,
    revokeTokens: () => {
      valid.clear();
    },
    failWith: null,
  };
  const server = await startLocalServer((request) => {
    if (request.method === 'POST' && request.path === '/oauth/token') {
      const credentials = basicCredentials(request.headers.authorization);
      const form = new URLSearchParams(request.body);
      if (credentials?.[0] !== clientId || credentials[1] !== clientSecret) {
        return { status: 401, json: { error: 'invalid_client' } };
      }
      if (form.get('grant_type') !== 'client_credentials') {
        return { status: 400, json: { error: 'unsupported_grant_type' } };
      }
      issued += 1;
      const token = `tok-${issued}-${Math.random().toString(36).slice(2)}`;
      valid.add(token);
      return {
        status: 200,
        json: { access_token: token, token_type: 'Bearer', expires_in: options.expiresIn ?? 3600 },
      };
    }
    const match = /^\/api\/orders\/([^/]+)\/shipment$/.exec(request.path);
    if (request.method !== 'PUT' || !match?.[1])
      return { status: 404, json: { error: 'no route' } };
    const orderNumber = decodeURIComponent(match[1]);
    const status = answer(request, orderNumber);
    erp.calls.push({ orderNumber, status });
    return { status, json: {} };
  });

  function answer(request: LocalRequest, orderNumber: string): number {
    const token = request.headers.authorization?.replace(/^Bearer /, '');
    if (!token || !valid.has(token)) return 401;
    const failed = erp.failWith?.(request, erp.calls.length) ?? null;
    if (failed !== null) return failed;
    const key = String(request.headers['idempotency-key'] ?? '');
    if (!key) return 400;
    if (erp.applied.some((update) => update.idempotencyKey === key)) return 409;
    erp.applied.push({
      orderNumber,
      idempotencyKey: key,
      body: JSON.parse(request.body) as Record<string, unknown>,
    });
    return 200;
  }

  return Object.assign(erp, {
    url: server.url,
    tokenUrl: `${server.url}/oauth/token`,
    close: () => server.close(),
  });
}
