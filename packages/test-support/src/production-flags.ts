import { readFileSync } from 'node:fs';
import { repoPath } from './repo-root';

/**
 * The node flags package.json's `start:*` script gives a bundle (V8's young generation, say),
 * so a benchmark or a memory test runs an app as production starts it.
 */
export function productionNodeFlags(bundle: string): string[] {
  const { scripts } = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const start = Object.values(scripts).find(
    (line) => line.startsWith('node ') && line.endsWith(` ${bundle}`),
  );
  return start?.split(' ').filter((word) => word.startsWith('--')) ?? [];
}
