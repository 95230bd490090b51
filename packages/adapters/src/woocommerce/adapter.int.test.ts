import { startFakeWooCommerce, type FakeWooCommerce } from '@tracksync/test-support';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveredUpdate } from '../../test/fixtures/shipment-update';
import type { ShipmentUpdate } from '../source-adapter';
import { createWooCommerceAdapter } from './adapter';

let store: FakeWooCommerce;

async function adapter(options: Record<string, unknown> = {}) {
  return createWooCommerceAdapter(
    {
      url: store.url,
      consumer_key: store.consumerKey,
      consumer_secret: store.consumerSecret,
      ...options,
    },
    { name: 'shop', log: pino({ level: 'silent' }), timeoutMs: 2_000 },
  );
}

const update = (orderNumber: string, fields: Partial<ShipmentUpdate> = {}): ShipmentUpdate => ({
  ...deliveredUpdate,
  orderNumber,
  sourceOrderId: null,
  deliveryId: `dlv_${orderNumber}_${fields.trackingStatus ?? 'Delivered'}`,
  ...fields,
});

beforeAll(async () => {
  store = await startFakeWooCommerce();
});
afterAll(() => store.close());
beforeEach(() => {
  store.failWith = null;
});

describe('the WooCommerce adapter plugin', () => {
  it('finds the order by number, adds a note with carrier, service and tracking, and completes it', async () => {
    const id = store.addOrder('1001');
    store.addOrder('10010'); // `search` also matches this one; only the exact number counts
    const outcome = await (await adapter()).apply(update('1001'));
    expect(outcome).toEqual({ kind: 'applied', httpStatus: 200 });
    const order = store.orders.get(id);
    expect(order?.status).toBe('completed');
    expect(order?.notes.map((n) => n.note)).toEqual([
      `Shipment ${deliveredUpdate.trackingNumber} via NZ Post CPOLTPA5: Delivered [tracksync dlv_1001_Delivered]`,
    ]);
  });

  it('adds a note without completing the order for a status not in complete_on', async () => {
    const id = store.addOrder('1002');
    await (await adapter()).apply(update('1002', { trackingStatus: 'Printed' }));
    expect(store.orders.get(id)).toMatchObject({ status: 'processing' });
    expect(store.orders.get(id)?.notes).toHaveLength(1);
  });

  it('uses the matched source order id instead of searching', async () => {
    const id = store.addOrder('WEB-1003');
    const calls = store.calls.length;
    await (await adapter()).apply(update('unrelated', { sourceOrderId: String(id) }));
    expect(store.orders.get(id)?.status).toBe('completed');
    expect(store.calls.slice(calls).map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /wp-json/wc/v3/orders/${id}`,
      `GET /wp-json/wc/v3/orders/${id}/notes`,
      `POST /wp-json/wc/v3/orders/${id}/notes`,
      `PUT /wp-json/wc/v3/orders/${id}`,
    ]);
  });

  it('never adds the note twice when a retry follows a lost answer', async () => {
    const id = store.addOrder('1004');
    const shop = await adapter();
    // The note is stored, then the status update fails: the delivery is retried.
    store.failWith = (request) => (request.method === 'PUT' ? 503 : null);
    expect((await shop.apply(update('1004'))).kind).toBe('retry');
    store.failWith = null;
    expect((await shop.apply(update('1004'))).kind).toBe('applied');
    expect(store.orders.get(id)?.notes).toHaveLength(1);
    expect(store.orders.get(id)?.status).toBe('completed');
  });

  it('says not found for an order the store does not have', async () => {
    expect(await (await adapter()).apply(update('NO-SUCH-ORDER'))).toEqual({
      kind: 'not_found',
      httpStatus: 404,
    });
    expect(await (await adapter()).apply(update('x', { sourceOrderId: '999999' }))).toMatchObject({
      kind: 'not_found',
    });
  });

  it('fails permanently with wrong keys, and says so without the secret', async () => {
    store.addOrder('1005');
    const outcome = await (
      await adapter({ consumer_secret: 'cs_wrong_secret' })
    ).apply(update('1005'));
    expect(outcome).toMatchObject({ kind: 'permanent', httpStatus: 401 });
    expect(JSON.stringify(outcome)).not.toContain('cs_wrong_secret');
  });

  it('refuses options without the store URL, naming the key', async () => {
    await expect(adapter({ url: undefined })).rejects.toThrow(/url/);
  });
});
