import { ConfigError } from '@tracksync/runtime';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './config';

describe('loadWorkerConfig', () => {
  it('fills every default from an empty environment', () => {
    expect(loadWorkerConfig({})).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'tracksync',
      STARSHIPIT_TIMEZONE: 'UTC',
      LOG_LEVEL: 'info',
      ADMIN_PORT: 3001,
      WORKER_CONCURRENCY: 8,
      INGEST_CONCURRENCY: 64,
      INGEST_BATCH_MAX: 32,
      WORKER_LOCK_MS: 30_000,
      SOURCE_ADAPTER: 'log',
      SOURCE_HTTP_TIMEOUT_MS: 10_000,
      DELIVERY_ATTEMPTS: 15,
      DELIVERY_BACKOFF_MS: 1000,
      STARSHIPIT_API_URL: 'https://api.starshipit.com',
      STARSHIPIT_RATE_LIMIT_PER_SEC: 2,
      RECONCILE_EVERY: 600_000,
      STALE_AFTER: 86_400_000,
      HEADERS_TIMEOUT_MS: 10_000,
      REQUEST_TIMEOUT_MS: 15_000,
      CONSOLE_COOKIE_SECURE: true,
      ADMIN_WRONG_TOKENS_PER_MINUTE: 10,
      ADMIN_TRUST_PROXY: false,
    });
  });

  it('reads ADMIN_TRUST_PROXY as a hop count or a list of proxies, and refuses anything else', () => {
    const trust = (value: string) =>
      loadWorkerConfig({ ADMIN_TRUST_PROXY: value }).ADMIN_TRUST_PROXY;
    expect(trust('')).toBe(false);
    expect(trust('2')).toBe(2);
    expect(trust('loopback, 10.0.0.0/8,fd00::/8, 192.0.2.7')).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.7',
    ]);
    for (const wrong of ['true', 'proxy.internal', '10.0.0.0/33', '10.0.0.1/8/2', 'loopback,']) {
      expect(() => trust(wrong), wrong).toThrow(/ADMIN_TRUST_PROXY/);
    }
  });

  it('refuses an ADMIN_WRONG_TOKENS_PER_MINUTE below one', () => {
    expect(() => loadWorkerConfig({ ADMIN_WRONG_TOKENS_PER_MINUTE: '0' })).toThrow(
      /ADMIN_WRONG_TOKENS_PER_MINUTE/,
    );
  });

  it('reads CONSOLE_COOKIE_SECURE as a boolean and refuses anything but true or false', () => {
    expect(loadWorkerConfig({ CONSOLE_COOKIE_SECURE: 'false' }).CONSOLE_COOKIE_SECURE).toBe(false);
    expect(() => loadWorkerConfig({ CONSOLE_COOKIE_SECURE: 'no' })).toThrow(
      /CONSOLE_COOKIE_SECURE/,
    );
  });

  it('stops with a line naming QUEUE_PREFIX when a cluster is given a prefix without a hash tag', () => {
    const load = () => loadWorkerConfig({ REDIS_CLUSTER_NODES: 'redis-a:6379,redis-b:6379' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^QUEUE_PREFIX: on Redis Cluster .* hash tag such as \{tracksync\}/);
  });

  it('reads durations such as 30s, 10m and 24h as milliseconds', () => {
    expect(loadWorkerConfig({ RECONCILE_EVERY: '30s', STALE_AFTER: '2d' })).toMatchObject({
      RECONCILE_EVERY: 30_000,
      STALE_AFTER: 172_800_000,
    });
  });

  it('stops with a line naming SOURCE_HTTP_URL when the http adapter has no URL', () => {
    expect(() =>
      loadWorkerConfig({
        SOURCE_ADAPTER: 'http',
        SOURCE_HTTP_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      }),
    ).toThrow(/^SOURCE_HTTP_URL: required when SOURCE_ADAPTER=http/);
  });

  it('reads the worker settings and keeps the admin token', () => {
    const config = loadWorkerConfig({
      DATABASE_URL: 'postgresql://app:secret@db:5432/tracksync',
      ADMIN_PORT: '9001',
      ADMIN_TOKEN: 'dev',
      WORKER_CONCURRENCY: '16',
    });
    expect(config).toMatchObject({ ADMIN_PORT: 9001, ADMIN_TOKEN: 'dev', WORKER_CONCURRENCY: 16 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['ADMIN_PORT', 'http'],
    ['ADMIN_PORT', '70000'],
    ['WORKER_CONCURRENCY', '0'],
    ['INGEST_CONCURRENCY', '0'],
    ['INGEST_BATCH_MAX', 'many'],
    ['DATABASE_URL', 'mysql://db/tracksync'],
    ['DELIVERY_ATTEMPTS', '0'],
    ['DELIVERY_BACKOFF_MS', 'soon'],
    ['SOURCE_ADAPTER', 'ftp'],
    ['RECONCILE_EVERY', '10 minutes'],
    ['STALE_AFTER', '0h'],
    ['STARSHIPIT_RATE_LIMIT_PER_SEC', '0'],
  ])('stops with a line naming %s when it is %j', (variable, value) => {
    expect(() => loadWorkerConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });
});
