import { readFileSync } from 'node:fs';
import { repoPath } from '@tracksync/test-support';
import { parse } from 'yaml';

/**
 * The deployment files (Dockerfile, compose, Prometheus, Grafana) cannot run here without a
 * Docker engine, so the ops tests read them as data, from the repository's root.
 */

export function readRepoFile(path: string): string {
  return readFileSync(repoPath(path), 'utf8');
}

/** Parses with `<<` merge keys on, as Docker Compose does. The caller states the shape. */
export function readRepoYaml(path: string): unknown {
  return parse(readRepoFile(path), { merge: true });
}

interface RootManifest {
  readonly workspaces: readonly string[];
  readonly scripts: Readonly<Record<string, string>>;
  readonly engines?: { readonly node?: string };
}

export function readRootManifest(): RootManifest {
  return JSON.parse(readRepoFile('package.json')) as RootManifest;
}

/**
 * scripts/build.mjs's entryPoints map (output path without `.js` → source), read from the
 * script's text because importing it would run the build.
 */
export function readBuildEntryPoints(): ReadonlyMap<string, string> {
  const text = readRepoFile('scripts/build.mjs');
  const block = /const entryPoints = \{([^}]*)\}/.exec(text)?.[1];
  if (block === undefined) throw new Error('no entryPoints map in scripts/build.mjs');
  return new Map(
    [...block.matchAll(/'([^']+)':\s*'([^']+)'/g)].map(([, out = '', src = '']) => [out, src]),
  );
}
