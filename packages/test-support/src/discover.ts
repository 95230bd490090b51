/**
 * Where the tests' Postgres and Redis come from, in order: the environment variable when set;
 * the local default when it answers; a testcontainers container when a Docker engine runs;
 * otherwise a failure that says how to provide one.
 */
export interface ServiceSource {
  readonly name: string;
  readonly envVariable: string;
  readonly envValue: string | undefined;
  readonly localUrl: string;
  answers(url: string): Promise<boolean>;
  dockerAvailable(): Promise<boolean>;
  startContainer(): Promise<{ url: string; stop: () => Promise<unknown> }>;
}

export interface DiscoveredService {
  readonly url: string;
  readonly origin: 'env' | 'local' | 'container';
  stop?: () => Promise<unknown>;
}

export async function discoverService(source: ServiceSource): Promise<DiscoveredService> {
  if (source.envValue) return { url: source.envValue, origin: 'env' };
  if (await source.answers(source.localUrl)) return { url: source.localUrl, origin: 'local' };
  if (await source.dockerAvailable()) {
    const container = await source.startContainer();
    return { url: container.url, origin: 'container', stop: container.stop };
  }
  throw new Error(
    `The tests need ${source.name}. Set ${source.envVariable}, start one at ${source.localUrl}, ` +
      'or run a Docker engine so testcontainers can start one.',
  );
}
