import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { createDb } from './client';

/**
 * The repository's `drizzle/` folder, found by walking up from this file, so it resolves the
 * same from the TypeScript sources, a bundled app in `apps/<app>/dist` or a container image.
 */
export function findMigrationsFolder(start = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'drizzle');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no drizzle/ migrations folder above ${start}`);
  }
}

/** Any fixed number will do; it only has to be the same for every tracksync process. */
const MIGRATION_LOCK_KEY = 7_411_022;

/**
 * Applies every pending migration. Several replicas may start at once, so the run holds a
 * session advisory lock; with a one-connection pool every statement uses that session.
 */
export async function runMigrations(databaseUrl: string): Promise<void> {
  const handle = createDb(databaseUrl, { max: 1 });
  try {
    await handle.pool.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migrate(handle.db, { migrationsFolder: findMigrationsFolder() });
    await handle.pool.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  } finally {
    await handle.close();
  }
}
