import { runMigrations } from '@tracksync/db';
import { commonEnv, createLogger, loadConfig } from '@tracksync/runtime';
import { z } from 'zod';
import { databaseEnv, loadOrReport } from './config';

/** `npm run db:migrate`: needs only the database, so it runs before anything else is set up. */
const migrateEnvSchema = z.object({ ...databaseEnv, LOG_LEVEL: commonEnv.LOG_LEVEL });

async function migrate(): Promise<void> {
  const config = loadOrReport('migrate', () => loadConfig(migrateEnvSchema));
  if (!config) return;
  const log = createLogger('migrate', config.LOG_LEVEL);
  const url = new URL(config.DATABASE_URL);
  // Host and database name only: the URL may carry a password.
  const database = `${url.host}${url.pathname}`;
  const started = performance.now();
  try {
    await runMigrations(config.DATABASE_URL);
    log.info(
      { database, durationMs: Math.round(performance.now() - started) },
      'migrations applied',
    );
  } catch (err) {
    log.fatal({ err, database }, 'migrations failed');
    process.exitCode = 1;
  }
}

migrate().catch((err: unknown) => {
  process.stderr.write(`migrate: ${String(err)}\n`);
  process.exitCode = 1;
});
