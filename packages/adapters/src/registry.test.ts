import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkSourceAdapterEnv, createSourceAdapter, sourceAdapterEnv } from './registry';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const schema = z.object(sourceAdapterEnv).superRefine(checkSourceAdapterEnv);
const silent = pino({ level: 'silent' });

function issues(env: Record<string, string>) {
  const parsed = schema.safeParse(env);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('sourceAdapterEnv', () => {
  it('defaults to the log adapter and a 10 s timeout', () => {
    expect(schema.parse({})).toEqual({ SOURCE_ADAPTER: 'log', SOURCE_HTTP_TIMEOUT_MS: 10_000 });
  });

  it('accepts a complete http configuration and coerces the timeout', () => {
    const env = {
      SOURCE_ADAPTER: 'http',
      SOURCE_HTTP_URL: 'https://erp.example.com/hooks/tracking',
      SOURCE_HTTP_SECRET: secret,
      SOURCE_HTTP_TIMEOUT_MS: '2500',
    };
    expect(schema.parse(env)).toMatchObject({
      SOURCE_ADAPTER: 'http',
      SOURCE_HTTP_TIMEOUT_MS: 2500,
    });
  });

  it('names each variable the http adapter needs but lacks', () => {
    expect(issues({ SOURCE_ADAPTER: 'http' })).toEqual([
      'SOURCE_HTTP_URL: required when SOURCE_ADAPTER=http',
      'SOURCE_HTTP_SECRET: required when SOURCE_ADAPTER=http',
    ]);
    expect(issues({ SOURCE_ADAPTER: 'http', SOURCE_HTTP_URL: 'http://127.0.0.1:8080/' })).toEqual([
      'SOURCE_HTTP_SECRET: required when SOURCE_ADAPTER=http',
    ]);
  });

  it('rejects an unknown adapter, a non-http URL, a malformed secret and a bad timeout', () => {
    expect(issues({ SOURCE_ADAPTER: 'ftp' })[0]).toMatch(/^SOURCE_ADAPTER: /);
    expect(issues({ SOURCE_HTTP_URL: 'ftp://erp.example.com' })[0]).toMatch(/^SOURCE_HTTP_URL: /);
    expect(issues({ SOURCE_HTTP_SECRET: 'hunter2' })[0]).toMatch(/^SOURCE_HTTP_SECRET: must be/);
    expect(issues({ SOURCE_HTTP_TIMEOUT_MS: 'soon' })[0]).toMatch(/^SOURCE_HTTP_TIMEOUT_MS: /);
    expect(issues({ SOURCE_HTTP_TIMEOUT_MS: '0' })[0]).toMatch(/^SOURCE_HTTP_TIMEOUT_MS: /);
  });
});

describe('createSourceAdapter', () => {
  it('builds the adapter the configuration names', () => {
    expect(createSourceAdapter(schema.parse({}), silent).name).toBe('log');
    const http = schema.parse({
      SOURCE_ADAPTER: 'http',
      SOURCE_HTTP_URL: 'http://127.0.0.1:8080/',
      SOURCE_HTTP_SECRET: secret,
    });
    expect(createSourceAdapter(http, silent).name).toBe('http');
  });

  it('refuses an http adapter without its URL, naming the variable', () => {
    const config = {
      SOURCE_ADAPTER: 'http',
      SOURCE_HTTP_SECRET: secret,
      SOURCE_HTTP_TIMEOUT_MS: 1,
    } as const;
    expect(() => createSourceAdapter(config, silent)).toThrow(
      'SOURCE_HTTP_URL: required when SOURCE_ADAPTER=http',
    );
  });
});
