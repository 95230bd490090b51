import { productionNodeFlags } from '@tracksync/test-support/production-flags';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup';
import { progress, sleep } from './out';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export function tasksetAvailable(): boolean {
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/**
 * Pins this process (all its threads: the load generator and the sink run here) to one CPU.
 * Returns false when that is not possible.
 */
export function pinSelf(cpu: number): boolean {
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], {
    stdio: 'ignore',
  });
  return result.status === 0;
}

/** The CPU ids this process may run on (from Cpus_allowed_list), e.g. [0, 1]. */
export function allowedCpus(): number[] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1];
    if (!list) return cpus().map((_, i) => i);
    const ids: number[] = [];
    for (const part of list.trim().split(',')) {
      const [from, to = from] = part.split('-').map(Number);
      if (from === undefined || to === undefined || Number.isNaN(from) || Number.isNaN(to))
        continue;
      for (let id = from; id <= to && ids.length < 1024; id += 1) ids.push(id);
    }
    return ids;
  } catch {
    return cpus().map((_, i) => i);
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

export interface MemoryPeak {
  /** Peak resident set (VmHWM) in MiB. */
  readonly peakRssMb: number;
  /** Resident set at the moment of reading (VmRSS) in MiB. */
  readonly rssMb: number;
}

export function readMemory(pid: number): MemoryPeak | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

export interface AppProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last lines the process wrote, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The apps run as in production: the esbuild bundles `npm run build` writes (buildApps runs it
 * at the start of a bench), so RSS and start-up carry no TypeScript loader.
 */
export const APP_BUNDLES = {
  ingress: 'apps/ingress/dist/main.js',
  worker: 'apps/worker/dist/main.js',
} as const;

export function buildApps(): void {
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${String(result.stderr)}`);
}

export interface StartOptions {
  readonly name: string;
  /**
   * Path relative to the repository root: a bundle (`.js`) runs under plain node, a bench
   * server (`.ts`) as `node --import tsx <script>`.
   */
  readonly script: string;
  readonly env: Record<string, string>;
  /** Pin to this CPU with taskset; null leaves it to the scheduler. */
  readonly cpu: number | null;
}

/**
 * Starts a script under node itself, so the measured pid is node (taskset execs node in
 * place). Only PATH and HOME are inherited: the rest is explicit.
 */
export function startApp({ name, script, env, cpu }: StartOptions): AppProcess {
  // BENCH_CPU_PROF=<dir>: each app writes a V8 CPU profile there when it exits (see
  // bench/profile-summary.ts), so a run shows where the time went.
  const profileDir = process.env.BENCH_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const flags = productionNodeFlags(script);
  const nodeArgs = [...profile, ...flags, ...loader, join(REPO_ROOT, script)];
  const [command, args] =
    cpu === null
      ? [process.execPath, nodeArgs]
      : ['taskset', ['-c', String(cpu), process.execPath, ...nodeArgs]];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start`);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit');
  let stopping: Promise<void> | null = null;
  const stop = (graceMs = 20_000): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  const forget = onCleanup(`${name} (pid ${pid})`, () => stop(5_000));
  void exited.then(forget);
  return { name, pid, child, tail: () => lines.join('\n'), stop };
}

/** Polls `url` until it answers 200, the process dies, or `timeoutMs` passes. */
export async function waitUntilReady(
  app: AppProcess,
  url: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) {
      throw new Error(`${app.name} exited with code ${app.child.exitCode}:\n${app.tail()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${app.name} not ready at ${url} within ${timeoutMs} ms:\n${app.tail()}`);
}

/** Reads the peak RSS of a live process; warns when it cannot be read. */
export function peakRss(app: AppProcess): number | null {
  const memory = readMemory(app.pid);
  if (!memory) {
    progress(`could not read /proc/${app.pid}/status for ${app.name}`);
    return null;
  }
  return memory.peakRssMb;
}
