import { REPO_ROOT } from '@tracksync/test-support';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRedisCluster } from './cluster';

const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx');

/** Runs an app's main.ts with exactly `env` (plus PATH) and waits for it to exit. */
function runToExit(app: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = execFile(
      tsx,
      [join(REPO_ROOT, `apps/${app}/src/main.ts`)],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, timeout: 30_000 },
      (_error, _stdout, stderr) => {
        resolve({ code: child.exitCode, stderr });
      },
    );
  });
}

describe.concurrent('an app pointed at a Redis Cluster without a hash tag in QUEUE_PREFIX', () => {
  const redis = useRedisCluster();

  it.each([
    ['ingress', 'tracksync'],
    ['worker', 'tracksync'],
    ['ingress', 'tracksync-{}'],
    ['worker', '{tracksync'],
  ])(
    '%s refuses QUEUE_PREFIX=%s with one line naming it, and writes nothing',
    async (app, prefix) => {
      const { code, stderr } = await runToExit(app, {
        REDIS_CLUSTER_NODES: redis.env.REDIS_CLUSTER_NODES,
        QUEUE_PREFIX: prefix,
        ADMIN_PORT: '0',
        PORT: '0',
      });

      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([
        `${app}: invalid configuration: QUEUE_PREFIX: on Redis Cluster (REDIS_CLUSTER_NODES is set) it needs a hash tag such as {tracksync}, so every key of the queues lands in one slot`,
      ]);
      const keys = await redis.keysByNode('*');
      expect([...keys.values()].flat()).toEqual([]);
    },
  );
});
