import { z } from 'zod';
import { isValidTimeZone } from '@tracksync/domain';
import { redisEnv } from './redis-env';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses the environment once into a frozen, typed object. The first problem found is
 * reported as one line naming the variable, so a bad deployment says what to fix.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<z.infer<S>> {
  const blankAsUnset = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = schema.safeParse(blankAsUnset);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const variable = issue?.path.join('.') ?? 'environment';
    throw new ConfigError(`${variable}: ${issue?.message ?? 'invalid'}`);
  }
  return Object.freeze(parsed.data);
}

/** Settings every tracksync process shares. */
export const commonEnv = {
  ...redisEnv,
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}-]+$/, 'letters, digits, _ - and {} (for a cluster hash tag) only')
    .default('tracksync'),
  STARSHIPIT_TIMEZONE: z
    .string()
    .refine(isValidTimeZone, 'must be an IANA time zone such as UTC or Australia/Sydney')
    .default('UTC'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const portSchema = z.coerce.number().int().min(0).max(65_535);

/** Comma-separated list, blanks dropped: `a, b,,c` → `['a','b','c']`. */
export const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration such as `500ms`, `30s`, `10m`, `24h` or `7d`, read as milliseconds. */
export const durationSchema = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'must be a whole number with a unit: ms, s, m, h or d (e.g. 10m)')
  .transform((value) => {
    const unit = /(ms|s|m|h|d)$/.exec(value)?.[1] as keyof typeof DURATION_UNITS_MS;
    return Number.parseInt(value, 10) * DURATION_UNITS_MS[unit];
  })
  .refine((ms) => ms > 0, 'must be longer than zero');
