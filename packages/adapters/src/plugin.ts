import type { Logger } from 'pino';
import type { SourceAdapter } from './source-adapter';

/** What tracksync hands an adapter plugin besides its own options. */
export interface PluginContext {
  /** The destination's name: use it as the adapter's `name`. */
  readonly name: string;
  readonly log: Logger;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/**
 * An adapter plugin's module default-exports this. `options` is the destination's `options`
 * from the config file, `${ENV}` references already filled in; check it (zod) and throw on a
 * problem: the worker then refuses to start with that message.
 */
export type AdapterFactory = (
  options: unknown,
  context: PluginContext,
) => SourceAdapter | Promise<SourceAdapter>;
