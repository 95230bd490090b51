import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './repo-root';

/** One line of pino's JSON output. */
export type LogLine = Record<string, unknown> & { msg?: string; level: number };

/** A real entry point (`main.ts`) running as a process of its own, as in production. */
export interface ServiceProcess {
  readonly pid: number;
  /** Every JSON line the process wrote to stdout, parsed. */
  readonly lines: LogLine[];
  /** The line that said the process was ready. */
  readonly readyLine: LogLine;
  readonly stderr: () => string;
  /** SIGKILL, as a crash or a lost node would: no shutdown, no goodbye to Redis. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within `deadlineMs`. */
  stop(deadlineMs?: number): Promise<void>;
}

export interface ServiceProcessOptions {
  /** Relative to the repository root, e.g. `apps/worker/src/main.ts`. */
  readonly entry: string;
  /** The whole environment of the child besides PATH and HOME: nothing leaks from the test. */
  readonly env: Readonly<Record<string, string>>;
  /** The `msg` of the log line that says the process is ready (its LOG_LEVEL must show it). */
  readonly readyMessage: string;
  readonly timeoutMs?: number;
}

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  // Node with tsx's loader rather than the `tsx` command: that command runs the script in a
  // child process of its own, so a SIGKILL would kill the wrapper and orphan the service.
  const child = spawn(process.execPath, ['--import', 'tsx', options.entry], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { pid } = child;
  if (pid === undefined) throw new Error(`could not start ${options.entry}`);
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve([code, signal]);
    });
    child.once('error', () => {
      resolve([null, null]);
    });
  });
  const lines: LogLine[] = [];
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));

  const ready = new Promise<LogLine>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${options.entry} not ready in time; stderr: ${stderr.join('')}`));
    }, options.timeoutMs ?? 20_000);
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        stderr.push(`${text}\n`);
        return;
      }
      lines.push(line);
      if (line.msg === options.readyMessage) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${options.entry} exited (${String(code ?? signal)}) before it was ready: ${stderr.join('')}`,
        ),
      );
    });
  });

  const stopWith = async (signal: NodeJS.Signals, deadlineMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    await exited;
    clearTimeout(timer);
  };

  let readyLine: LogLine;
  try {
    readyLine = await ready;
  } catch (err) {
    await stopWith('SIGKILL', 0);
    throw err;
  }
  return {
    pid,
    lines,
    readyLine,
    stderr: () => stderr.join(''),
    kill: () => stopWith('SIGKILL', 0),
    stop: (deadlineMs = 10_000) => stopWith('SIGTERM', deadlineMs),
  };
}
