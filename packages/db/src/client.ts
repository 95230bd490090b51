import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema';

/** `$client` is the pool: the ingest path runs its prepared statements on it directly. */
export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface DatabaseHandle {
  readonly db: Database;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export function createDb(url: string, options: pg.PoolConfig = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // A dead database must surface as an error quickly, not as a hung job holding its lock.
    connectionTimeoutMillis: 5_000,
    ...options,
  });
  // pg reports a dead connection as an 'error' event on its client, and the pool listens only
  // while the client is idle: a connection lost while a job holds it between two statements
  // (Postgres restarted or failed over) would end the process. The job's pending or next
  // statement fails on its own, and the pool discards the broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return { db: drizzle(pool, { schema }), pool, close: () => pool.end() };
}
