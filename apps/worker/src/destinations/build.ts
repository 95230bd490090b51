import {
  createAuthenticator,
  createHttpAdapter,
  createLogAdapter,
  createSourceAdapter,
  createWooCommerceAdapter,
  loadOperatorModule,
  type AdapterFactory,
  type SourceAdapterConfig,
  type SourceAdapter,
  type Transformation,
} from '@tracksync/adapters';
import { ConfigError } from '@tracksync/runtime';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { WorkerConfig } from '../config';
import { loadDestinationsFile, type NamedSpec } from './config-file';
import { compileFilter } from './filter';
import type { DestinationSpec } from './schema';
import {
  destinationSetOf,
  originOf,
  singleDestination,
  type Destination,
  type DestinationSet,
} from './set';

export interface BuildOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  /** Tests hand adapters a fetch of their own; production uses the global one. */
  readonly fetch?: typeof fetch;
}

/**
 * The destinations this worker delivers to: those of the `TRACKSYNC_CONFIG` file, or without
 * one, today's single adapter from the environment as `default`. A problem is a ConfigError
 * naming the key, so the worker refuses to start with one line.
 */
export async function buildDestinations(
  config: Pick<WorkerConfig, 'TRACKSYNC_CONFIG' | keyof SourceAdapterConfig>,
  options: BuildOptions,
): Promise<DestinationSet> {
  if (!config.TRACKSYNC_CONFIG) {
    return singleDestination(
      createSourceAdapter(config, options.log),
      originOf(config.SOURCE_HTTP_URL),
    );
  }
  const specs = await loadDestinationsFile(config.TRACKSYNC_CONFIG, options.env);
  return destinationSetOf(await Promise.all(specs.map((named) => buildOne(named, options))));
}

export async function buildOne(
  { name, spec }: NamedSpec,
  options: BuildOptions,
): Promise<Destination> {
  return {
    name,
    adapter: await adapterFor(name, spec, options),
    accepts: compileFilter(spec.filter),
    rateLimitPerSec: spec.rate_limit_per_sec ?? null,
    summary: {
      adapter: spec.adapter,
      target: spec.adapter === 'http' ? originOf(spec.url) : null,
      transform: spec.adapter === 'http' && spec.transform !== undefined,
      signed: spec.adapter === 'http' && spec.signing_secret !== undefined,
      auth: spec.adapter === 'http' ? (spec.auth?.type ?? null) : null,
      filter: spec.filter ?? null,
    },
  };
}

async function adapterFor(
  name: string,
  spec: DestinationSpec,
  { log, fetch }: BuildOptions,
): Promise<SourceAdapter> {
  const key = `destinations.${name}`;
  const context = {
    name,
    log: log.child({ destination: name }),
    timeoutMs: spec.timeout_ms,
    fetch,
  };
  switch (spec.adapter) {
    case 'log':
      return { ...createLogAdapter(context.log), name };
    case 'http':
      return createHttpAdapter({
        name,
        url: spec.url,
        secret: spec.signing_secret,
        transformOptions: spec.transform_options,
        timeoutMs: spec.timeout_ms,
        fetch,
        transform: spec.transform
          ? await guarded(`${key}.transform`, () =>
              loadOperatorModule<Transformation>(spec.transform ?? '', 'transformation'),
            )
          : undefined,
        auth: spec.auth && createAuthenticator(spec.auth, { fetch, timeoutMs: spec.timeout_ms }),
      });
    case 'woocommerce':
      return guarded(`${key}.options`, () => createWooCommerceAdapter(spec.options, context));
    case 'plugin': {
      const factory = await guarded(`${key}.module`, () =>
        loadOperatorModule<AdapterFactory>(spec.module, 'adapter plugin'),
      );
      return guarded(`${key}.options`, () => factory(spec.options, context));
    }
  }
}

/** Runs a step of building a destination; its failure becomes one line naming the key. */
async function guarded<T>(key: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof z.ZodError) {
      const issue = err.issues[0];
      const path = [key, ...(issue?.path.map(String) ?? [])].join('.');
      throw new ConfigError(`${path}: ${issue?.message ?? 'invalid'}`);
    }
    throw new ConfigError(`${key}: ${(err as Error).message}`);
  }
}
