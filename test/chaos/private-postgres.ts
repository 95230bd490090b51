import { freePort } from '@tracksync/test-support';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onProcessExit } from '@tracksync/test-support';

const run = promisify(execFile);

/** A PostgreSQL cluster of the test's own, which it may stop and start at will. */
export interface PrivatePostgres {
  /** The cluster's `postgres` database, as the superuser `postgres` (trust auth, loopback). */
  readonly url: string;
  /** Stops at once, as a crash would (`-m immediate`): connections are refused until start(). */
  stop(): Promise<void>;
  /** Starts again on the same port and data directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops the cluster if running and deletes its directory. */
  destroy(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

/** Debian keeps initdb and pg_ctl off PATH in a versioned folder; elsewhere PATH has them. */
function binary(name: string): string {
  for (const version of [17, 16, 15, 14, 13]) {
    const path = `/usr/lib/postgresql/${version}/bin/${name}`;
    if (existsSync(path)) return path;
  }
  return name;
}

/** PostgreSQL refuses to run as root, so as root its tools run as the `postgres` user. */
function command(name: string, args: readonly string[]): [string, string[]] {
  const file = binary(name);
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, [...args]];
}

async function chownToPostgres(dir: string): Promise<void> {
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  await chown(dir, await id('-u'), await id('-g'));
}

/**
 * initdb's a fresh cluster in a temporary directory and starts it on a free loopback port.
 * fsync is off: the test kills the server, never the machine, so the OS cache survives.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'tracksync-pg-'));
  if (isRoot()) await chownToPostgres(dir);
  const data = join(dir, 'data');
  const port = await freePort();
  const pgCtl = (...args: string[]) => {
    const [file, argv] = command('pg_ctl', ['-D', data, ...args]);
    return run(file, argv);
  };
  const stopNow = () => pgCtl('-m', 'immediate', '-w', 'stop');
  let running = false;

  const unregister = onProcessExit(() => {
    const [file, argv] = command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    spawnSync(file, argv, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async () => {
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await pgCtl('-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start');
    running = true;
  };

  try {
    const [file, argv] = command('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres']);
    await run(file, argv);
    await start();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    unregister();
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (!running) return;
      running = false;
      await stopNow();
    },
    start,
    async destroy() {
      if (running) await stopNow().catch(() => undefined);
      running = false;
      await rm(dir, { recursive: true, force: true });
      unregister();
    },
  };
}
