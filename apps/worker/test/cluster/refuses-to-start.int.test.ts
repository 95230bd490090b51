import { REPO_ROOT } from '@tracksync/test-support';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRedisCluster } from './cluster';

const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx');

/** Runs an app's main.ts with exactly `env` (plus PATH) and waits for it to exit. */
function runToExit(app: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      tsx,
      [join(REPO_ROOT, `apps/${app}/src/main.ts`)],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, timeout: 30_000 },
      (_error, stdout, stderr) => {
        resolve({ code: child.exitCode, stdout, stderr });
      },
    );
  });
}

describe('an app pointed at a Redis Cluster the wrong way', () => {
  const redis = useRedisCluster();

  // Concurrent among themselves: none of them may write a key, which each one checks.

  it.concurrent.each([
    ['ingress', 'tracksync'],
    ['worker', 'tracksync'],
    ['ingress', 'tracksync-{}'],
    ['worker', '{tracksync'],
  ])(
    '%s refuses QUEUE_PREFIX=%s, which has no hash tag, with one line naming it, and writes nothing',
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

  // After those: a standalone client may write to the node before the app finds out.
  it.each(['ingress', 'worker'])(
    '%s stops with a line naming REDIS_URL when it points at a cluster node',
    async (app) => {
      const [node] = redis.cluster.nodes;
      const { code, stdout } = await runToExit(app, {
        REDIS_URL: node!.url,
        QUEUE_PREFIX: 'tracksync',
        ADMIN_PORT: '0',
        PORT: '0',
        LOG_LEVEL: 'info',
      });

      expect(code).toBe(1);
      const fatal = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .filter((line) => line.level === 60);
      expect(fatal.map((line) => line.msg)).toEqual([
        'REDIS_URL: points at a Redis Cluster node; set REDIS_CLUSTER_NODES instead (and a hash tag in QUEUE_PREFIX)',
      ]);
    },
  );
});
