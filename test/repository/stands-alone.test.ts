import { REPO_ROOT } from '@tracksync/test-support';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Not the repository's own: installed, built, or git's. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', '.git']);
/** Generated or binary: no paths a person wrote. */
const SKIPPED_FILES = new Set([
  'package-lock.json',
  'bench/results.json',
  'bench/results-partial.json',
]);
const BINARY = /\.(png|jpe?g|gif|ico|woff2?)$/;

/**
 * A relative path that climbs: `..` alone or followed by `/…`, not part of a longer name or of
 * a spread (`...x`). It is resolved from the folder of the file that names it, as imports,
 * `new URL(…, import.meta.url)`, shell `cd` and Markdown links all resolve it.
 */
const CLIMBING_PATH = /(?<![\w./])\.\.(?![.\w])(?:\/[^\s'"`)\]}>,;:]*)?/g;

function repositoryFiles(folder = REPO_ROOT): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return SKIPPED_FOLDERS.has(entry.name) ? [] : repositoryFiles(path);
    const name = relative(REPO_ROOT, path);
    return entry.isFile() && !SKIPPED_FILES.has(name) && !BINARY.test(name) ? [name] : [];
  });
}

/** Every path a file names that resolves outside the repository root, as `file:line: path`. */
function pathsLeavingRepository(file: string, text: string): string[] {
  const root = resolve(REPO_ROOT);
  return text.split('\n').flatMap((line, index) =>
    [...line.matchAll(CLIMBING_PATH)]
      .map(([path]) => path)
      .filter((path) => {
        const target = resolve(REPO_ROOT, dirname(file), path);
        return target !== root && !target.startsWith(root + sep);
      })
      .map((path) => `${file}:${index + 1}: ${path}`),
  );
}

describe('the repository stands alone', () => {
  it('names no path outside its root in any file it holds', () => {
    const files = repositoryFiles();
    expect(files).toContain('.ci/run');
    const leaving = files.flatMap((file) =>
      pathsLeavingRepository(file, readFileSync(join(REPO_ROOT, file), 'utf8')),
    );
    expect(leaving).toEqual([]);
  });

  it('tells a path that climbs out of the root from one that stays inside', () => {
    // Built from parts, so this file names no climbing path itself.
    const up = (levels: number) => Array<string>(levels).fill('..').join('/');
    const sibling = `read('${up(4)}/sibling/fixtures/a.json')`;
    expect(pathsLeavingRepository('packages/domain/src/a.test.ts', sibling)).toHaveLength(1);
    expect(pathsLeavingRepository('scripts/x.mjs', `cd "$(dirname "$0")/${up(1)}"`)).toEqual([]);
    expect(
      pathsLeavingRepository('apps/worker/src/a.ts', "import { b } from '../../x/b';"),
    ).toEqual([]);
    expect(pathsLeavingRepository('a.ts', 'const all = [...items];')).toEqual([]);
  });
});
