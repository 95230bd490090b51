const cleanups = new Set<() => void>();

/**
 * Registers a synchronous last resort for when the test process exits without running its
 * afterAll (a crash, an uncaught error): servers a test started outside its own process tree
 * (a daemonised postgres, a redis-server) would otherwise outlive the run. Returns the
 * function that unregisters it, for the normal path that has already cleaned up.
 */
export function onProcessExit(cleanup: () => void): () => void {
  if (cleanups.size === 0) process.once('exit', runAll);
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) process.off('exit', runAll);
  };
}

function runAll(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // The process is exiting: one failed cleanup must not keep the others from running.
    }
  }
  cleanups.clear();
}
