import { ConfigError } from '@tracksync/runtime';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { configFileSchema, type DestinationSpec } from './schema';

/** A destination as configured, with module paths made absolute. */
export interface NamedSpec {
  readonly name: string;
  readonly spec: DestinationSpec;
}

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Reads and checks the destinations file (`TRACKSYNC_CONFIG`). Every problem is one line
 * naming the key path (`destinations.erp.auth.client_secret: …`) as a ConfigError, so the
 * worker refuses to start saying what to fix. `${VAR}` in any string is replaced by that
 * environment variable, so secrets stay out of the file; no value is ever echoed.
 */
export async function loadDestinationsFile(
  path: string,
  env: NodeJS.ProcessEnv,
): Promise<NamedSpec[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`TRACKSYNC_CONFIG: cannot read ${path} (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    const line = (err as Error).message.split('\n')[0] ?? 'invalid';
    throw new ConfigError(`TRACKSYNC_CONFIG: ${path} is not valid YAML: ${line}`);
  }
  return parseDestinations(raw, env, dirname(resolve(path)));
}

/** The checks of loadDestinationsFile on an already parsed document. */
export function parseDestinations(raw: unknown, env: NodeJS.ProcessEnv, baseDir: string) {
  const filled = fillEnv(raw, env, []);
  const parsed = configFileSchema.safeParse(filled);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') || '(file)';
    throw new ConfigError(`${path}: ${issue?.message ?? 'invalid'}`);
  }
  return Object.entries(parsed.data.destinations).map(([name, spec]) => ({
    name,
    spec: withAbsolutePaths(spec, baseDir),
  }));
}

function fillEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REFERENCE, (_match, variable: string) => {
      const found = env[variable];
      if (found === undefined || found === '') {
        throw new ConfigError(`${path.join('.')}: environment variable ${variable} is not set`);
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => fillEnv(item, env, [...path, String(i)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, fillEnv(item, env, [...path, key])]),
    );
  }
  return value;
}

/** Module paths are relative to the config file, wherever the worker was started. */
function withAbsolutePaths(spec: DestinationSpec, baseDir: string): DestinationSpec {
  if (spec.adapter === 'http' && spec.transform) {
    return { ...spec, transform: resolve(baseDir, spec.transform) };
  }
  if (spec.adapter === 'plugin') return { ...spec, module: resolve(baseDir, spec.module) };
  return spec;
}
