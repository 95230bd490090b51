import { progress } from './out';

type Cleanup = () => Promise<void>;

/** Everything the bench started or created, undone in reverse order even when a case fails. */
const stack: { readonly name: string; readonly run: Cleanup }[] = [];

export function onCleanup(name: string, run: Cleanup): () => void {
  const entry = { name, run };
  stack.push(entry);
  return () => {
    const index = stack.indexOf(entry);
    if (index >= 0) stack.splice(index, 1);
  };
}

let running: Promise<void> | null = null;

export function cleanupAll(): Promise<void> {
  running ??= (async () => {
    while (stack.length > 0) {
      const entry = stack.pop();
      if (!entry) break;
      try {
        await entry.run();
      } catch (err) {
        progress(`cleanup of ${entry.name} failed: ${String(err)}`);
      }
    }
  })();
  return running;
}
