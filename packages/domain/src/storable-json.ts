import type { PayloadIssue } from './payload-issue';

/**
 * Far deeper than any Starshipit payload (flat, with a metadata list at most three levels
 * down), far shallower than what overflows the stack: BullMQ's JSON.stringify of a job does
 * so near 10,000 levels, and Postgres caps jsonb nesting by its own stack depth.
 */
export const MAX_JSON_DEPTH = 32;

/** U+D800–U+DFFF on its own: valid in a JS string, not in UTF-8, refused by Postgres jsonb. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Postgres text and jsonb cannot hold NUL; a string with it could never be stored. */
function unstorable(text: string): boolean {
  return text.includes('\u0000') || LONE_SURROGATE.test(text);
}

interface Pending {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * The first reason a parsed JSON value could not be kept as sent, or null when it can: nested
 * deeper than MAX_JSON_DEPTH, or a key or string Postgres cannot store. A body that passes is
 * safe to enqueue and to store whole; one that fails would fail on every retry instead.
 * Iterative, so the check itself never overflows the stack.
 */
export function findUnstorableJson(root: unknown): PayloadIssue | null {
  const pending: Pending[] = [{ value: root, path: '', depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value === 'string') {
      if (unstorable(value)) return notStorable(path);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      return { path: path || '(root)', message: `must not nest deeper than ${MAX_JSON_DEPTH}` };
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = join(path, key);
      if (unstorable(key)) return notStorable(childPath);
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}

function notStorable(path: string): PayloadIssue {
  return {
    path: path || '(root)',
    message: 'must not contain NUL characters or unpaired UTF-16 surrogates',
  };
}
