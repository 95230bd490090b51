import { serveHttp, type HttpTimeouts } from '@tracksync/runtime';
import type { Express } from 'express';
import type { Server } from 'node:http';

/**
 * Resolves once the port is bound, rejects when it cannot be (in use, no permission). Slow
 * clients are cut off after the timeouts (defaults: 10 s for headers, 15 s for a request).
 */
export function listen(app: Express, port: number, timeouts?: HttpTimeouts): Promise<Server> {
  return serveHttp(app, { port, ...(timeouts ? { timeouts } : {}) });
}
