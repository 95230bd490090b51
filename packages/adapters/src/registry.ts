import type { Logger } from 'pino';
import { z } from 'zod';
import { createHttpAdapter } from './http/adapter';
import { SIGNING_SECRET_HINT, isSigningSecret } from './http/signing';
import { createLogAdapter } from './log/adapter';
import type { SourceAdapter } from './source-adapter';

export const SOURCE_ADAPTER_NAMES = ['log', 'http'] as const;
export type SourceAdapterName = (typeof SOURCE_ADAPTER_NAMES)[number];

/**
 * The adapter's share of the worker's environment schema (§3), as a shape to spread into the
 * worker's `z.object`. Requirements that span variables live in `checkSourceAdapterEnv`:
 *
 * ```ts
 * z.object({ ...commonEnv, ...sourceAdapterEnv }).superRefine(checkSourceAdapterEnv)
 * ```
 */
export const sourceAdapterEnv = {
  SOURCE_ADAPTER: z.enum(SOURCE_ADAPTER_NAMES).default('log'),
  SOURCE_HTTP_URL: z.url({ protocol: /^https?$/ }).optional(),
  SOURCE_HTTP_SECRET: z.string().refine(isSigningSecret, SIGNING_SECRET_HINT).optional(),
  SOURCE_HTTP_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
};

export interface SourceAdapterConfig {
  readonly SOURCE_ADAPTER: SourceAdapterName;
  readonly SOURCE_HTTP_URL?: string | undefined;
  readonly SOURCE_HTTP_SECRET?: string | undefined;
  readonly SOURCE_HTTP_TIMEOUT_MS: number;
}

/** Variables each adapter cannot start without. */
const REQUIRED: Readonly<Record<SourceAdapterName, readonly (keyof SourceAdapterConfig)[]>> = {
  log: [],
  http: ['SOURCE_HTTP_URL', 'SOURCE_HTTP_SECRET'],
};

/**
 * For `.superRefine`: one issue per variable the chosen adapter needs but lacks, with the
 * variable as its path, so the worker refuses to start with `SOURCE_HTTP_URL: required …`.
 */
export function checkSourceAdapterEnv(
  env: SourceAdapterConfig,
  ctx: Pick<z.core.$RefinementCtx, 'addIssue'>,
): void {
  for (const variable of missingVariables(env)) {
    ctx.addIssue({
      code: 'custom',
      path: [variable],
      message: `required when SOURCE_ADAPTER=${env.SOURCE_ADAPTER}`,
    });
  }
}

function missingVariables(config: SourceAdapterConfig): (keyof SourceAdapterConfig)[] {
  return REQUIRED[config.SOURCE_ADAPTER].filter((variable) => !config[variable]);
}

/** The adapter the configuration names. Config validation should have caught a gap already. */
export function createSourceAdapter(config: SourceAdapterConfig, log: Logger): SourceAdapter {
  switch (config.SOURCE_ADAPTER) {
    case 'log':
      return createLogAdapter(log);
    case 'http': {
      const { SOURCE_HTTP_URL: url, SOURCE_HTTP_SECRET: secret } = config;
      if (!url || !secret) {
        throw new Error(
          `${missingVariables(config).join(', ')}: required when SOURCE_ADAPTER=http`,
        );
      }
      return createHttpAdapter({ url, secret, timeoutMs: config.SOURCE_HTTP_TIMEOUT_MS });
    }
  }
}
