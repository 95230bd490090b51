import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config';
import { checkRedisEnv, hashTagOf, redisEnv } from './redis-env';

const schema = z
  .object({ ...redisEnv, QUEUE_PREFIX: z.string().default('tracksync') })
  .superRefine(checkRedisEnv);
const load = (env: Record<string, string>) => loadConfig(schema, env);

describe('REDIS_CLUSTER_NODES', () => {
  it('is unset by default: standalone Redis at REDIS_URL', () => {
    expect(load({})).toEqual({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'tracksync' });
  });

  it('reads comma-separated host:port seeds', () => {
    const config = load({
      REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-2.internal:7001 ,[::1]:7002',
      QUEUE_PREFIX: '{tracksync}',
    });
    expect(config.REDIS_CLUSTER_NODES).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-2.internal', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      tls: false,
    });
  });

  it('takes a password and TLS from URL seeds', () => {
    const config = load({
      REDIS_CLUSTER_NODES: 'rediss://:s%40cret@a:6379,rediss://:s%40cret@b:6379',
      QUEUE_PREFIX: 'shop-{tracksync}',
    });
    expect(config.REDIS_CLUSTER_NODES).toEqual({
      nodes: [
        { host: 'a', port: 6379 },
        { host: 'b', port: 6379 },
      ],
      password: 's@cret',
      tls: true,
    });
  });

  it.each(['a', 'a:6379,b', 'http://a:80', 'redis://a:6379/2', ' , '])(
    'refuses %j with one line naming the variable',
    (value) => {
      const attempt = () => load({ REDIS_CLUSTER_NODES: value, QUEUE_PREFIX: '{t}' });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/^REDIS_CLUSTER_NODES: must be comma-separated host:port/);
    },
  );

  it('refuses seeds that disagree on scheme or password', () => {
    expect(() =>
      load({ REDIS_CLUSTER_NODES: 'rediss://a:1,redis://b:2', QUEUE_PREFIX: '{t}' }),
    ).toThrow(/^REDIS_CLUSTER_NODES: every node must use the same scheme and password$/);
  });

  it.each(['tracksync', '{}tracksync', 'tracksync{', 'track}{'])(
    'refuses QUEUE_PREFIX=%s on a cluster: no hash tag',
    (prefix) => {
      expect(() => load({ REDIS_CLUSTER_NODES: 'a:7000', QUEUE_PREFIX: prefix })).toThrow(
        /^QUEUE_PREFIX: on Redis Cluster \(REDIS_CLUSTER_NODES is set\) it needs a hash tag such as \{tracksync\}/,
      );
    },
  );

  it('lets a prefix without a hash tag through on standalone Redis', () => {
    expect(load({ QUEUE_PREFIX: 'tracksync' }).QUEUE_PREFIX).toBe('tracksync');
  });
});

describe('hashTagOf', () => {
  it.each([
    ['{tracksync}', 'tracksync'],
    ['shop-{a}-{b}', 'a'],
    ['}{x}', 'x'],
    ['{}{x}', null],
    ['tracksync', null],
    ['{open', null],
  ])('finds the tag of %s as Redis Cluster would: %s', (prefix, tag) => {
    expect(hashTagOf(prefix)).toBe(tag);
  });
});
