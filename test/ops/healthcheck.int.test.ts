import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, repoPath } from '@tracksync/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The image's and compose's healthcheck, run as Docker would run it: exit code is the verdict. */
function runHealthcheck(port: number): Promise<number> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [repoPath('ops/healthcheck.mjs')],
      { env: { ...process.env, HEALTHCHECK_PORT: String(port) }, timeout: 10_000 },
      (err) => {
        resolve(err ? Number(err.code ?? 1) : 0);
      },
    );
  });
}

describe('ops/healthcheck.mjs', () => {
  let status = 200;
  const paths: string[] = [];
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('passes when /healthz on HEALTHCHECK_PORT answers 200', async () => {
    status = 200;
    expect(await runHealthcheck(port)).toBe(0);
    expect(paths.at(-1)).toBe('/healthz');
  });

  it('fails when /healthz answers an error', async () => {
    status = 503;
    expect(await runHealthcheck(port)).toBe(1);
  });

  it('fails when nothing listens on the port', async () => {
    expect(await runHealthcheck(await freePort())).toBe(1);
  });
});
