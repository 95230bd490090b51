import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks in every line: secrets must never reach a log. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-starshipit-signature"]',
  'headers.authorization',
  'headers["x-starshipit-signature"]',
  'secret',
  '*.secret',
  'token',
  '*.token',
  '*.ADMIN_TOKEN',
  '*.SOURCE_HTTP_SECRET',
  '*.STARSHIPIT_WEBHOOK_SECRET',
  '*.STARSHIPIT_API_KEY',
  '*.STARSHIPIT_SUBSCRIPTION_KEY',
];

export function createLogger(name: string, level: string): Logger {
  return pino({ name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
