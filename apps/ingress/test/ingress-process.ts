import { freePort, REPO_ROOT } from '@tracksync/test-support';
import { productionNodeFlags } from '@tracksync/test-support/production-flags';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const OUTPUT_LIMIT_BYTES = 4 * 1024 * 1024;

/** The ingress's main.ts as a process of its own: its own http.Server, timeouts and RSS. */
export interface IngressProcess {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** What it wrote to stdout and stderr: all of it, or the first chunk and the last 4 MB. */
  output(): string;
  /** Still running: never exited, crashed or was killed. */
  alive(): boolean;
  /** SIGTERM and wait for the exit (SIGKILL after `deadlineMs`); resolves to the exit code. */
  stop(deadlineMs?: number): Promise<number | null>;
}

/**
 * Starts the ingress with exactly `env` (plus PATH, HOME and a free PORT) and waits for its
 * `ingress listening` line, so LOG_LEVEL must be info or lower.
 */
export async function startIngressProcess(
  env: Readonly<Record<string, string>>,
  readyTimeoutMs = 20_000,
): Promise<IngressProcess> {
  const port = await freePort();
  // Node with tsx's loader, not the tsx command: the pid is then the ingress's own. The flags
  // are production's (its young generation), so memory behaves as it will when deployed.
  const flags = productionNodeFlags('apps/ingress/dist/main.js');
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', 'apps/ingress/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { pid } = child;
  if (pid === undefined) throw new Error('could not start the ingress');
  const chunks: string[] = [];
  let kept = 0;
  const keep = (chunk: Buffer) => {
    chunks.push(chunk.toString('utf8'));
    kept += chunk.length;
    // A long hostile run logs every rejection; the start and the last few MB are enough.
    while (kept > OUTPUT_LIMIT_BYTES && chunks.length > 2)
      kept -= chunks.splice(1, 1)[0]?.length ?? 0;
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit');
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async (deadlineMs = 10_000) => {
    if (running()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
      await exited;
      clearTimeout(timer);
    }
    return child.exitCode;
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (!chunks.join('').includes('"msg":"ingress listening"')) {
    if (!running() || Date.now() > deadline) {
      await stop(0);
      throw new Error(`the ingress did not start: ${chunks.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => chunks.join(''),
    alive: running,
    stop,
  };
}

/** The resident set size of a process in bytes, from /proc (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kilobytes === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kilobytes) * 1024;
}
