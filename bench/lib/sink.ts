import { once } from 'node:events';
import { createServer, type Server } from 'node:http';

export interface Arrival {
  readonly deliveryId: string;
  /** Epoch milliseconds (sub-millisecond) when the request's body was complete. */
  readonly atMs: number;
}

export const nowEpochMs = () => performance.timeOrigin + performance.now();

/**
 * The source system of the end-to-end case: answers every delivery 200 at once and notes
 * when each shipment's change arrived. It does not verify signatures (that is the receiver's
 * cost, not tracksync's), only that the Standard Webhooks headers are there.
 */
export class Sink {
  readonly arrivals = new Map<string, Arrival>();
  duplicates = 0;
  malformed = 0;
  private server: Server | null = null;

  async listen(): Promise<number> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const atMs = nowEpochMs();
        const deliveryId = req.headers['webhook-id'];
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as {
            data?: { tracking_number?: unknown };
          };
          const trackingNumber = body.data?.tracking_number;
          if (
            typeof deliveryId !== 'string' ||
            typeof trackingNumber !== 'string' ||
            !req.headers['webhook-signature']
          ) {
            this.malformed += 1;
          } else if (this.arrivals.has(trackingNumber)) {
            this.duplicates += 1;
          } else {
            this.arrivals.set(trackingNumber, { deliveryId, atMs });
          }
        } catch {
          this.malformed += 1;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.keepAliveTimeout = 30_000;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('sink has no port');
    return address.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  }
}
