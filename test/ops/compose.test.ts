import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, repoPath } from '@tracksync/test-support';
import { readBuildEntryPoints, readRepoYaml, readRootManifest } from './repo-files';

interface Healthcheck {
  readonly test?: readonly string[];
  readonly disable?: boolean;
}

interface Service {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: string | readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly env_file?: readonly { readonly path: string; readonly required: boolean }[];
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>;
  readonly healthcheck?: Healthcheck;
  readonly profiles?: readonly string[];
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly init?: boolean;
  readonly stop_grace_period?: string;
}

interface ComposeFile {
  readonly services: Readonly<Record<string, Service>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

const compose = readRepoYaml('docker-compose.yml') as ComposeFile;
const { scripts } = readRootManifest();
const APP_SERVICES = ['migrate', 'ingress', 'worker'] as const;

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

function commandOf(name: string): readonly string[] {
  const { command } = service(name);
  if (!Array.isArray(command)) throw new Error(`${name}: command is not in exec form`);
  return command as readonly string[];
}

function conditionsOf(name: string): Record<string, string> {
  const dependsOn = service(name).depends_on ?? {};
  return Object.fromEntries(
    Object.entries(dependsOn).map(([dep, { condition }]) => [dep, condition]),
  );
}

describe('docker-compose.yml services', () => {
  it('runs the five staging services by default and monitoring only under its profile', () => {
    const byDefault = Object.entries(compose.services)
      .filter(([, s]) => s.profiles === undefined)
      .map(([name]) => name);
    expect(byDefault.sort()).toEqual(['ingress', 'migrate', 'postgres', 'redis', 'worker']);
    expect(service('prometheus').profiles).toEqual(['monitoring']);
    expect(service('grafana').profiles).toEqual(['monitoring']);
  });

  it.each(['postgres', 'redis', 'ingress', 'worker'])('gives %s a healthcheck', (name) => {
    const { healthcheck } = service(name);
    expect(healthcheck?.disable).not.toBe(true);
    expect(healthcheck?.test?.length).toBeGreaterThan(1);
  });

  it('starts the worker after Postgres and Redis are healthy and migrations have finished', () => {
    expect(conditionsOf('migrate')).toEqual({ postgres: 'service_healthy' });
    expect(conditionsOf('worker')).toEqual({
      postgres: 'service_healthy',
      redis: 'service_healthy',
      migrate: 'service_completed_successfully',
    });
  });

  it('starts the ingress on Redis alone, so it accepts webhooks while Postgres is down', () => {
    expect(conditionsOf('ingress')).toEqual({ redis: 'service_healthy' });
  });

  it('waits for health only on services that have a healthcheck', () => {
    for (const name of Object.keys(compose.services)) {
      for (const [dep, condition] of Object.entries(conditionsOf(name))) {
        if (condition === 'service_healthy') expect(service(dep).healthcheck?.test).toBeDefined();
      }
    }
  });

  it('keeps BullMQ jobs in Redis: no eviction, append-only file on a named volume', () => {
    const command = commandOf('redis').join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(service('redis').volumes).toContainEqual(expect.stringMatching(/^redis-data:\/data$/));
  });

  it('declares every named volume a service mounts, and every bind mount exists', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./'))
          expect(existsSync(repoPath(source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), name).toContain(source);
      }
    }
  });
});

describe('docker-compose.yml app containers', () => {
  it.each(APP_SERVICES)('%s runs node itself, so SIGTERM reaches the process', (name) => {
    expect(commandOf(name)[0]).toBe('node');
    expect(service(name).init).toBe(true);
  });

  it.each(APP_SERVICES)('%s outlives the apps’ 25 s shutdown deadline before SIGKILL', (name) => {
    expect(Number.parseInt(service(name).stop_grace_period ?? '10s', 10)).toBeGreaterThan(25);
  });

  it.each(APP_SERVICES)('%s reads .env when present and points at the stack’s services', (name) => {
    const s = service(name);
    expect(s.env_file).toEqual([{ path: '.env', required: false }]);
    expect(s.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(s.environment?.REDIS_URL).toBe('redis://redis:6379');
  });

  it('health-checks each app on the port it listens on and publishes', () => {
    const ingress = service('ingress');
    const worker = service('worker');
    expect(ingress.environment).toMatchObject({ PORT: '3000', HEALTHCHECK_PORT: '3000' });
    expect(ingress.ports).toEqual(['3000:3000']);
    expect(worker.environment).toMatchObject({ ADMIN_PORT: '3001', HEALTHCHECK_PORT: '3001' });
    expect(worker.ports).toEqual(['3001:3001']);
    for (const s of [ingress, worker]) {
      expect(s.healthcheck?.test).toEqual(['CMD', 'node', 'ops/healthcheck.mjs']);
    }
    expect(existsSync(repoPath('ops/healthcheck.mjs'))).toBe(true);
  });
});

describe('entry points after npm run build', () => {
  beforeAll(() => {
    // The real build (esbuild, under a second), so the files checked below are what it writes.
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'pipe' });
  });

  const commands = Object.entries(compose.services)
    .filter(([, s]) => Array.isArray(s.command) && s.build !== undefined)
    .map(([name]) => [name, commandOf(name)] as const);

  it('covers every app service', () => {
    expect(commands.map(([name]) => name).sort()).toEqual([...APP_SERVICES].sort());
  });

  it.each(commands)('%s starts a script that exists or a file the build writes', (_, command) => {
    const [program, ...args] = command;
    if (program === 'npm') {
      expect(args[0]).toBe('run');
      expect(Object.keys(scripts)).toContain(args[1]);
      return;
    }
    // Node's own flags (such as the ingress's heap bound) come before the script.
    const file = args.find((arg) => !arg.startsWith('--')) ?? '';
    expect(program).toBe('node');
    expect([...readBuildEntryPoints().keys()].map((out) => `${out}.js`)).toContain(file);
    expect(existsSync(repoPath(file)), file).toBe(true);
  });

  it('gives every npm script that runs a built file a file the build writes', () => {
    const builtRuns = Object.entries(scripts).flatMap(([name, line]) => {
      const file = /^node (?:--\S+ )*(apps\/[^ ]+\/dist\/[^ ]+)/.exec(line)?.[1];
      return file === undefined ? [] : [[name, file] as const];
    });
    expect(builtRuns.map(([name]) => name)).toEqual(
      expect.arrayContaining(['db:migrate:dist', 'start:ingress', 'start:worker']),
    );
    for (const [name, file] of builtRuns) {
      expect(existsSync(repoPath(file)), `${name}: ${file}`).toBe(true);
    }
  });
});
