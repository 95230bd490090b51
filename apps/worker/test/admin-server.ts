import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readinessPing } from '@tracksync/queue';
import { closeHttpServer } from '@tracksync/runtime';
import { listen } from '../src/server';
import type { WorkerHarness } from './harness';
import { createAdminApp, type AdminDeps } from '../src/admin/app';

export interface AdminServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The admin app wired to the harness, not listening; `overrides` replace any dependency. */
export function adminAppFor(harness: WorkerHarness, overrides: Partial<AdminDeps> = {}) {
  return createAdminApp({
    pool: harness.database.pool,
    redis: readinessPing(harness.connection, harness.config.QUEUE_PREFIX),
    sessionRedis: harness.connection,
    registry: harness.metrics.registry,
    db: harness.db,
    queues: harness.queues,
    config: harness.config,
    log: harness.log,
    destinations: harness.destinations,
    control: harness.control,
    reconcileEnabled: harness.starshipit !== null,
    ...overrides,
  });
}

/** The admin app on a free port, wired to the harness; `overrides` replace any dependency. */
export async function serveAdmin(
  harness: WorkerHarness,
  overrides: Partial<AdminDeps> = {},
): Promise<AdminServer> {
  const server: Server = await listen(adminAppFor(harness, overrides), 0);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeHttpServer(server),
  };
}

/** The Authorization header of a browser that was given `password` at the Basic prompt. */
export function basicAuth(password: string, user = 'ops'): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export interface JsonAnswer<T> {
  readonly status: number;
  readonly body: T;
}

/** Calls the ops API the way a script would: a bearer token, JSON in and out. */
export function opsClient(server: AdminServer, token: string) {
  const call = async (path: string, init: RequestInit) => {
    const response = await fetch(`${server.url}/api${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    const body: unknown = await response.json();
    return { status: response.status, body };
  };
  return {
    /** `T` is the shape the test expects; its assertions are what check it. */
    get: <T>(path: string) => call(path, {}) as Promise<JsonAnswer<T>>,
    post: (path: string, body?: string) =>
      call(path, { method: 'POST', body }) as Promise<JsonAnswer<Record<string, unknown>>>,
  };
}
