import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '@tracksync/test-support';
import { readBuildEntryPoints, readRepoFile, readRootManifest } from './repo-files';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions grouped by stage, with comments dropped and continuations joined. */
function readStages(): Instruction[][] {
  const text = readRepoFile('Dockerfile')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const instruction = { keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

function argsOf(stage: readonly Instruction[], keyword: string): string[] {
  return stage.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** `FROM image AS name` → name. */
function stageName(stage: readonly Instruction[]): string | undefined {
  return /\sAS\s+(\S+)$/i.exec(argsOf(stage, 'FROM')[0] ?? '')?.[1];
}

/**
 * A stage's instructions with those of the stages it is built `FROM`, oldest first: what a
 * stage has is what it inherits plus what it adds. The first element is the base image's FROM.
 */
function withAncestors(stage: readonly Instruction[]): Instruction[] {
  const base = (argsOf(stage, 'FROM')[0] ?? '').split(/\s+/)[0];
  const parent = stages.find((candidate) => stageName(candidate) === base);
  return parent ? [...withAncestors(parent), ...stage.slice(1)] : [...stage];
}

/** `.dockerignore` semantics: a path is out when it or a parent matches; the last match wins. */
function isDockerIgnored(path: string, patterns: readonly string[]): boolean {
  const parts = path.split('/');
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const glob = (negated ? raw.slice(1) : raw).replace(/^\//, '');
    const source = glob
      .split('**/')
      .map((part) => part.split('**').map(globSegmentSource).join('.*'))
      .join('(?:.*/)?');
    const pattern = new RegExp(`^${source}$`);
    if (parts.some((_, i) => pattern.test(parts.slice(0, i + 1).join('/')))) ignored = !negated;
  }
  return ignored;
}

function globSegmentSource(glob: string): string {
  return glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
}

function filesUnder(path: string): string[] {
  if (!statSync(repoPath(path)).isDirectory()) return [path];
  return readdirSync(repoPath(path)).flatMap((entry) => filesUnder(join(path, entry)));
}

const stages = readStages();
const build = withAncestors(stages.find((stage) => stageName(stage) === 'build') ?? []);
const runtime = withAncestors(stages.at(-1) ?? []);
const ignorePatterns = readRepoFile('.dockerignore')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const { workspaces } = readRootManifest();

describe('Dockerfile', () => {
  it('builds in one stage and runs on a slim Node LTS image in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(argsOf(runtime, 'FROM')[0]).toMatch(/^node:24-bookworm-slim\b/);
    const builds = stages.flatMap((stage) =>
      argsOf(stage, 'RUN').filter((run) => run.includes('npm run build')),
    );
    expect(builds).toHaveLength(1);
    expect(argsOf(build, 'RUN')).toContain('npm run build');
  });

  it('installs only production dependencies in the runtime stage', () => {
    const installs = argsOf(runtime, 'RUN').filter((run) => run.includes('npm ci'));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/npm ci --omit=dev/);
  });

  it.each(workspaces)('copies the manifest of workspace %s into both stages', (workspace) => {
    for (const stage of [build, runtime]) {
      expect(argsOf(stage, 'COPY')).toContain(`${workspace}/package.json ${workspace}/`);
    }
  });

  it('copies each built app and the migrations into the runtime stage', () => {
    const copies = argsOf(runtime, 'COPY');
    const apps = new Set(
      [...readBuildEntryPoints().keys()].map((out) => out.replace(/\/[^/]+$/, '')),
    );
    for (const dist of apps) expect(copies).toContain(`--from=build /app/${dist} ${dist}`);
    expect(copies).toContain('drizzle drizzle');
  });

  it('runs as an unprivileged user', () => {
    const user = argsOf(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user?.split(':')[0]);
  });

  it('has an exec-form healthcheck whose script is in the image', () => {
    const [healthcheck = ''] = argsOf(runtime, 'HEALTHCHECK');
    const command = /CMD\s+(\[.*\])$/.exec(healthcheck)?.[1];
    expect(command).toBeDefined();
    const argv = JSON.parse(command ?? '[]') as string[];
    expect(argv).toEqual(['node', 'ops/healthcheck.mjs']);
    expect(argsOf(runtime, 'COPY')).toContain('ops/healthcheck.mjs ops/healthcheck.mjs');
  });

  it('starts node directly in exec form, so node receives SIGTERM', () => {
    const [cmd = ''] = argsOf(runtime, 'CMD').slice(-1);
    const argv = JSON.parse(cmd) as string[];
    const [program, ...args] = argv;
    expect(program).toBe('node');
    const script = args.find((arg) => !arg.startsWith('--'));
    expect([...readBuildEntryPoints().keys()].map((out) => `${out}.js`)).toContain(script);
    expect(argsOf(runtime, 'ENTRYPOINT')).toEqual([]);
  });
});

describe('.dockerignore', () => {
  it.each([
    'node_modules',
    'apps/worker/node_modules',
    'apps/ingress/dist',
    'dist',
    '.git',
    '.env',
    'apps/worker/test/harness.ts',
    'packages/starshipit/test/fake-starshipit.ts',
    'packages/test-support/src/index.ts',
    'test/chaos/stack.ts',
  ])('keeps %s out of the build context', (path) => {
    expect(isDockerIgnored(path, ignorePatterns)).toBe(true);
  });

  it('keeps every file the image copies from the context', () => {
    const sources = stages
      .flatMap((stage) => argsOf(stage, 'COPY'))
      .filter((args) => !args.startsWith('--from'))
      .flatMap((args) => args.split(/\s+/).slice(0, -1))
      .filter((source) => source !== '.');
    for (const file of sources.flatMap(filesUnder)) {
      expect(isDockerIgnored(file, ignorePatterns), file).toBe(false);
    }
  });

  it('keeps everything the build reads: the build script, tsconfig and non-test sources', () => {
    // The test-support workspace is the tests' alone: no bundle may import it.
    const sources = ['apps', 'packages']
      .flatMap((dir) => readdirSync(repoPath(dir)).map((name) => join(dir, name)))
      .filter((workspace) => workspace !== 'packages/test-support')
      .map((workspace) => join(workspace, 'src'))
      .flatMap(filesUnder)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    expect(sources).toEqual(expect.arrayContaining([...readBuildEntryPoints().values()]));
    for (const file of ['scripts/build.mjs', 'tsconfig.json', ...sources]) {
      expect(isDockerIgnored(file, ignorePatterns), file).toBe(false);
    }
  });
});
