import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readinessPing } from '@tracksync/queue';
import { closeHttpServer } from '@tracksync/runtime';
import { afterAll, beforeAll } from 'vitest';
import { listen } from '../src/server';
import { startHarness, type WorkerHarness } from './harness';
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

export type OpsClient = ReturnType<typeof opsClient>;

/** A harness, the admin app on a free port and an ops API client, for one describe block. */
export interface OpsApiContext {
  readonly harness: WorkerHarness;
  readonly server: AdminServer;
  readonly api: OpsClient;
}

/**
 * Starts a harness with ADMIN_TOKEN=`token` (plus `env`, or what the function resolves to)
 * and serves the admin app before the block's tests, and stops both after them. Call it in
 * a describe block; its properties are there once the tests run.
 */
export function useOpsApi(
  token: string,
  env: NodeJS.ProcessEnv | (() => Promise<NodeJS.ProcessEnv>) = {},
): OpsApiContext {
  let started: OpsApiContext | undefined;
  beforeAll(async () => {
    const extra = typeof env === 'function' ? await env() : env;
    const harness = await startHarness({ ADMIN_TOKEN: token, ...extra });
    const server = await serveAdmin(harness);
    started = { harness, server, api: opsClient(server, token) };
  });
  afterAll(async () => {
    await started?.server.close();
    await started?.harness.close();
  });
  const current = (): OpsApiContext => {
    if (!started) throw new Error('useOpsApi: used before its beforeAll ran');
    return started;
  };
  return {
    get harness() {
      return current().harness;
    },
    get server() {
      return current().server;
    },
    get api() {
      return current().api;
    },
  };
}
