import type { Express } from 'express';
import type { Server } from 'node:http';

/** Resolves once the port is bound, rejects when it cannot be (in use, no permission). */
export function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, (err) => {
      if (err) reject(err);
      else resolve(server);
    });
  });
}

/** Stops accepting connections and waits for requests in progress (idle keep-alives close). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}
