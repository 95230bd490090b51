import type { Logger } from 'pino';

/**
 * Runs `steps` in order on SIGTERM or SIGINT, once. A step that fails is logged and the rest
 * still run; the whole sequence is bounded so a stuck dependency cannot keep a pod alive.
 */
export function onShutdown(
  log: Logger,
  steps: readonly (readonly [name: string, step: () => Promise<unknown>])[],
  deadlineMs = 25_000,
): void {
  let started = false;
  const run = async (signal: string) => {
    if (started) return;
    started = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown deadline passed, exiting');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        log.error({ err, step: name }, 'shutdown step failed');
      }
    }
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void run(signal));
  process.once('SIGINT', (signal) => void run(signal));
}
