import { pathToFileURL } from 'node:url';

/**
 * Loads an operator's module (a transformation or an adapter plugin) by absolute path and
 * returns its default export, checked to be a function. Production runs plain Node, so the
 * module must be JavaScript (ESM, `.mjs` or `.js` in a `"type": "module"` folder); TypeScript
 * must be compiled first (or the worker run under tsx).
 */
export async function loadOperatorModule<T extends (...args: never[]) => unknown>(
  path: string,
  what: string,
): Promise<T> {
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (err) {
    throw new Error(`cannot load ${what} ${path}: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }
  if (typeof loaded.default !== 'function') {
    throw new Error(`${what} ${path} must default-export a function`);
  }
  return loaded.default as T;
}
