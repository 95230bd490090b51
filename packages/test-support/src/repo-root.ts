import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder, wherever the checkout sits (this file is three levels down). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A path inside the repository, from its root. */
export function repoPath(path: string): string {
  return join(REPO_ROOT, path);
}
