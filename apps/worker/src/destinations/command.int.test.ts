import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationFixture, writeDestinationsFile } from '../../test/destinations';
import { startHarness, type WorkerHarness } from '../../test/harness';
import { recordWebhook } from '../../test/seed';
import { runDestinationsCommand } from './command';

describe('npm run destinations -- dry-run', () => {
  let harness: WorkerHarness;
  let env: NodeJS.ProcessEnv;
  let changeFile: string;

  beforeAll(async () => {
    harness = await startHarness();
    const path = await writeDestinationsFile(`destinations:
  erp:
    adapter: http
    transform: ${destinationFixture('erp-transform.mjs')}
    transform_options: { base_url: "https://erp.example.com" }
    auth: { type: bearer, token: "\${ERP_TOKEN}" }
  broken:
    adapter: http
    transform: ${destinationFixture('broken-transform.mjs')}
`);
    changeFile = join(dirname(path), 'change.json');
    await writeFile(
      changeFile,
      JSON.stringify({
        order_number: 'BAD-9',
        tracking_number: 'TRK9',
        tracking_status: 'Delivered',
        last_updated_date: '2026-06-18T10:00:00Z',
      }),
    );
    env = { TRACKSYNC_CONFIG: path, DATABASE_URL: harness.database.url, ERP_TOKEN: 'tok-secret' };
  });
  afterAll(() => harness.close());

  async function run(argv: string[]) {
    let out = '';
    let err = '';
    const code = await runDestinationsCommand(argv, env, {
      out: (text) => (out += text),
      err: (text) => (err += text),
    });
    return { code, out, err };
  }

  it("shows the request for a stored shipment's current state, without its secrets", async () => {
    await recordWebhook(harness.db, {
      orderNumber: 'SO-77',
      trackingNumber: 'TRK77',
      status: 'InTransit',
      at: '2026-06-18T10:00:00Z',
    });
    const { code, out } = await run([
      'dry-run',
      '--destination',
      'erp',
      '--tracking-number',
      'TRK77',
    ]);
    expect(code).toBe(0);
    expect(out).toContain('"url": "https://erp.example.com/api/orders/SO-77/shipment"');
    expect(out).toContain('"status": "InTransit"');
    expect(out).not.toContain('tok-secret');
  });

  it('says what a failing transformation says, with exit code 1', async () => {
    const { code, err } = await run(['dry-run', '--destination', 'broken', '--change', changeFile]);
    expect(code).toBe(1);
    expect(err).toBe('transformation threw: no mapping for BAD-9\n');
  });

  it('refuses an unknown destination, an unknown shipment and a missing destination', async () => {
    expect((await run(['dry-run', '--destination', 'nope', '--change', changeFile])).code).toBe(1);
    expect(
      (await run(['dry-run', '--destination', 'erp', '--tracking-number', 'NONE'])).err,
    ).toMatch(/^no shipment NONE/);
    expect((await run(['dry-run'])).code).toBe(2);
  });
});
