import { checkSourceAdapterEnv, sourceAdapterEnv } from '@tracksync/adapters';
import {
  checkHttpServerEnv,
  checkRedisEnv,
  commonEnv,
  ConfigError,
  durationSchema,
  httpServerEnv,
  loadConfig,
  portSchema,
} from '@tracksync/runtime';
import { isIP } from 'node:net';
import { z } from 'zod';

export const databaseEnv = {
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .default('postgres://postgres@127.0.0.1:5432/postgres'),
};

const TRUST_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, an address/prefix-length subnet, or one of Express's named ranges. */
function isTrustedProxyEntry(entry: string): boolean {
  if (TRUST_NAMES.has(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const length = Number(bits);
  return /^\d+$/.test(bits) && length <= (version === 4 ? 32 : 128);
}

/** Express's `trust proxy` value: false, a hop count, or a list of addresses and subnets. */
const trustProxySchema = z
  .string()
  .optional()
  .transform((raw, ctx): false | number | string[] => {
    const value = raw?.trim() ?? '';
    if (value === '') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    const wrong = entries.filter((entry) => !isTrustedProxyEntry(entry));
    if (wrong.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `a hop count, or addresses, subnets, loopback, linklocal or uniquelocal; not ${wrong.join(', ')}`,
      });
      return z.NEVER;
    }
    return entries;
  });

export const workerEnvSchema = z
  .object({
    ...commonEnv,
    ...databaseEnv,
    ...sourceAdapterEnv,
    ...httpServerEnv,
    /**
     * The destinations file (YAML). Unset: one destination, `default`, from SOURCE_ADAPTER
     * and SOURCE_HTTP_*, exactly as before destinations existed.
     */
    TRACKSYNC_CONFIG: z.string().min(1).optional(),
    /** Calls to the source system per change before it is marked failed (15 ≈ 9 h at 1 s). */
    DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(15),
    /** First retry delay; each next one doubles (with jitter), capped at one hour. */
    DELIVERY_BACKOFF_MS: z.coerce.number().int().min(1).default(1000),
    /**
     * How long a job's lock lasts without renewal. A killed worker's jobs return to the queue
     * after about this long (plus one stalled check), so it bounds recovery time; it must stay
     * well above the slowest job (a delivery waits up to SOURCE_HTTP_TIMEOUT_MS).
     */
    WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
    STARSHIPIT_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.starshipit.com'),
    /** Both keys unset turns reconciliation off (with a warning): webhooks alone then. */
    STARSHIPIT_API_KEY: z.string().optional(),
    STARSHIPIT_SUBSCRIPTION_KEY: z.string().optional(),
    /** Starshipit's Developer tier allows 2 requests/s per subscription key, Production 20. */
    STARSHIPIT_RATE_LIMIT_PER_SEC: z.coerce.number().int().min(1).max(100).default(2),
    RECONCILE_EVERY: durationSchema.default(600_000),
    STALE_AFTER: durationSchema.default(86_400_000),
    ADMIN_PORT: portSchema.default(3001),
    ADMIN_TOKEN: z.string().optional(),
    /**
     * Wrong admin tokens one address may present per minute (API, Bull Board and console
     * sign-in together) before it is refused with 429 for the rest of that minute.
     */
    ADMIN_WRONG_TOKENS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
    /**
     * The proxies in front of the admin port whose X-Forwarded-For the worker believes, so
     * the wrong-token limit and the logs see each client's own address: a number of hops, or
     * addresses, subnets (`10.0.0.0/8`) and `loopback`, `linklocal`, `uniquelocal`. Unset:
     * none (behind a proxy every client then shares the proxy's address).
     */
    ADMIN_TRUST_PROXY: trustProxySchema,
    /**
     * The ops console's session cookie is `Secure` (sent over HTTPS only) unless this is
     * `false`. Browsers also keep Secure cookies for http://localhost and 127.0.0.1, so only
     * plain HTTP to another host (an internal name without TLS) needs it off.
     */
    CONSOLE_COOKIE_SECURE: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    /**
     * Delivery jobs in flight per replica. Each holds one pooled Postgres connection for a few
     * milliseconds; main sizes the pool from this so jobs never queue for a connection.
     */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    /**
     * Ingest jobs in flight per replica. They wait together for a group commit rather than
     * each for a connection, so many cost Postgres little: two statements per batch.
     */
    INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(64),
    /**
     * Most ingest jobs committed together (one read and one write statement for the lot);
     * 1 records every event on its own (then keep INGEST_CONCURRENCY near WORKER_CONCURRENCY).
     */
    INGEST_BATCH_MAX: z.coerce.number().int().min(1).max(256).default(32),
  })
  .superRefine((env, ctx) => {
    checkRedisEnv(env, ctx);
    // With a destinations file the SOURCE_* variables are not used, so not required either.
    if (!env.TRACKSYNC_CONFIG) checkSourceAdapterEnv(env, ctx);
    checkHttpServerEnv(env, ctx);
  });

export type WorkerConfig = Readonly<z.infer<typeof workerEnvSchema>>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return loadConfig(workerEnvSchema, env);
}

/**
 * Loads configuration for an entry point. A bad value ends the start with one line naming
 * the variable (ConfigError's message) and exit code 1; returns null in that case.
 */
export function loadOrReport<T>(app: string, load: () => T): T | null {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${app}: invalid configuration: ${err.message}\n`);
    process.exitCode = 1;
    return null;
  }
}
