import {
  deleteQueuePrefix,
  freePort,
  REPO_ROOT,
  testRedisUrl,
  uniqueQueuePrefix,
} from '@tracksync/test-support';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx');
const main = join(REPO_ROOT, 'apps/ingress/src/main.ts');

describe.concurrent('ingress main', () => {
  const redisUrl = testRedisUrl();
  const prefix = uniqueQueuePrefix();

  afterAll(async () => {
    await deleteQueuePrefix(redisUrl, prefix);
  });

  it('stops at start with one line naming a bad variable and exit code 1', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>(
      (resolve) => {
        const child = execFile(
          tsx,
          [main],
          { cwd: REPO_ROOT, env: { PATH: process.env.PATH, MAX_BODY_BYTES: 'lots' } },
          (_error, _stdout, stderr) => {
            resolve({ code: child.exitCode, stderr });
          },
        );
      },
    );
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'ingress: invalid configuration: MAX_BODY_BYTES: must be a positive whole number of bytes',
    ]);
  });

  it('serves webhooks, warns that no secret is set and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(tsx, [main], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 15_000;
      while (!output.includes('ingress listening') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(output).toContain('STARSHIPIT_WEBHOOK_SECRET is not set');
      const response = await fetch(`http://127.0.0.1:${port}/callback/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          order_number: 'SO-MAIN-1',
          tracking_number: 'TESTMAIN0001',
          tracking_status: 'Printed',
          last_updated_date: '2026-06-18T09:35:00Z',
        }),
      });
      expect(response.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(output).toContain('"msg":"stopped"');
  });
});
