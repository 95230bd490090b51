import { freePort, redisAnswers } from '@tracksync/test-support';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './exit-cleanup';

/** A redis-server of the test's own with production persistence, to kill and restart. */
export interface PersistentRedis {
  readonly url: string;
  /** SIGKILL: no goodbye to clients, no final save, as in a crash. */
  kill(): Promise<void>;
  /** Starts again on the same port from the same append-only file. */
  restart(): Promise<void>;
  /** Kills the server and deletes its directory. */
  destroy(): Promise<void>;
}

/**
 * AOF with `appendfsync always`, as production Redis for BullMQ should be: every write the
 * server acknowledged is on disk, so an acknowledged job survives a SIGKILL.
 */
export async function startPersistentRedis(): Promise<PersistentRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'tracksync-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const unregister = onProcessExit(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
    const persistence = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
    const started = spawn(
      'redis-server',
      [...args, ...persistence, '--maxmemory-policy', 'noeviction'],
      { stdio: 'ignore' },
    );
    child = started;
    const deadline = Date.now() + 20_000;
    while (!(await redisAnswers(url))) {
      if (started.exitCode !== null || Date.now() > deadline) {
        throw new Error(`redis-server did not start on port ${port}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };

  try {
    await start();
  } catch (err) {
    await kill();
    await rm(dir, { recursive: true, force: true });
    unregister();
    throw err;
  }
  return {
    url,
    kill,
    restart: start,
    async destroy() {
      await kill();
      await rm(dir, { recursive: true, force: true });
      unregister();
    },
  };
}
