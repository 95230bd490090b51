import { ConfigError } from '@tracksync/runtime';
import { describe, expect, it } from 'vitest';
import { loadIngressConfig } from './config';

describe('loadIngressConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadIngressConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      MAX_BODY_BYTES: 65_536,
      STARSHIPIT_WEBHOOK_SECRET: [],
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'tracksync',
    });
  });

  it('reads several comma-separated secrets for rotation', () => {
    const config = loadIngressConfig({ STARSHIPIT_WEBHOOK_SECRET: ' old-secret , new-secret ,' });
    expect(config.STARSHIPIT_WEBHOOK_SECRET).toEqual(['old-secret', 'new-secret']);
  });

  it('treats a blank secret as no secret', () => {
    expect(
      loadIngressConfig({ STARSHIPIT_WEBHOOK_SECRET: '  ' }).STARSHIPIT_WEBHOOK_SECRET,
    ).toEqual([]);
  });

  it('reads PORT and MAX_BODY_BYTES as numbers', () => {
    const config = loadIngressConfig({ PORT: '8080', MAX_BODY_BYTES: '1024' });
    expect(config.PORT).toBe(8080);
    expect(config.MAX_BODY_BYTES).toBe(1024);
  });

  it.each(['abc', '0', '-5', '1.5'])(
    'rejects MAX_BODY_BYTES=%s with one line naming the variable',
    (value) => {
      const load = () => loadIngressConfig({ MAX_BODY_BYTES: value });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/^MAX_BODY_BYTES: must be a positive whole number of bytes$/);
    },
  );

  it('rejects a port out of range, naming PORT', () => {
    expect(() => loadIngressConfig({ PORT: '70000' })).toThrow(/^PORT: /);
  });

  it('refuses a Redis Cluster without a hash tag in QUEUE_PREFIX, naming the variable', () => {
    const env = { REDIS_CLUSTER_NODES: '127.0.0.1:7000' };
    expect(() => loadIngressConfig(env)).toThrow(/^QUEUE_PREFIX: on Redis Cluster/);
    expect(loadIngressConfig({ ...env, QUEUE_PREFIX: '{tracksync}' }).REDIS_CLUSTER_NODES).toEqual({
      nodes: [{ host: '127.0.0.1', port: 7000 }],
      tls: false,
    });
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadIngressConfig({}))).toBe(true);
  });
});
