import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './exit-cleanup';
import { freePort, redisAnswers } from './services';

export interface RedisServerOptions {
  /**
   * AOF with `appendfsync always`, as production Redis for BullMQ should be: every write the
   * server acknowledged is on disk, so an acknowledged job survives a SIGKILL. Default: none,
   * so a restart comes back empty.
   */
  readonly persistent?: boolean;
  /** Further redis-server arguments, e.g. cluster mode. */
  readonly args?: readonly string[];
}

/** A redis-server of the test's own, to kill and restart without disturbing the shared one. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** SIGKILL: no goodbye to clients, no final save, as in a crash or a lost node. */
  kill(): Promise<void>;
  /** Starts again on the same port and folder: from its append-only file when persistent. */
  restart(): Promise<void>;
  /** Kills the server and deletes its folder. */
  destroy(): Promise<void>;
}

/**
 * Starts `redis-server` on a free loopback port, in a temporary folder of its own (a cluster
 * node keeps its nodes.conf there), and waits until it answers.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tracksync-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const unregister = onProcessExit(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction']
    : ['--appendonly', 'no'];
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
    ...persistence,
    ...(options.args ?? []),
  ];

  const start = async () => {
    const started = spawn('redis-server', args, { stdio: 'ignore' });
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
  const destroy = async () => {
    await kill();
    await rm(dir, { recursive: true, force: true });
    unregister();
  };

  try {
    await start();
  } catch (err) {
    await destroy();
    throw err;
  }
  return { port, url, kill, restart: start, destroy };
}
