import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A second destination that is down for the whole run: every request gets a 503. */
export interface FailingDestination {
  readonly url: string;
  readonly requests: () => number;
  close(): Promise<void>;
}

export async function startFailingDestination(): Promise<FailingDestination> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      res.writeHead(503).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/down`,
    requests: () => requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The workers' destinations file for CHAOS_DESTINATIONS=2: the receiver as `default` (so the
 * suite's checks read the same rows as with one destination) and `failing`. The signing
 * secret comes from the environment, as an operator would keep it.
 */
export async function writeTwoDestinations(
  receiverUrl: string,
  failingUrl: string,
): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tracksync-chaos-'));
  const path = join(dir, 'destinations.yaml');
  await writeFile(
    path,
    `destinations:
  default:
    adapter: http
    url: ${receiverUrl}
    signing_secret: \${SOURCE_HTTP_SECRET}
    timeout_ms: 5000
  failing:
    adapter: http
    url: ${failingUrl}
    timeout_ms: 5000
`,
  );
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
