import {
  checkHttpServerEnv,
  checkRedisEnv,
  commaList,
  commonEnv,
  httpServerEnv,
  loadConfig,
  portSchema,
} from '@tracksync/runtime';
import { z } from 'zod';

const positiveBytes = 'must be a positive whole number of bytes';

const ingressEnvSchema = z
  .object({
    ...commonEnv,
    ...httpServerEnv,
    PORT: portSchema.default(3000),
    /** Several secrets, comma-separated, so a new one can be rolled out before the old is revoked. */
    STARSHIPIT_WEBHOOK_SECRET: commaList.default([]),
    /** Starshipit's bodies are a few hundred bytes; the cap keeps a flood of large posts cheap. */
    MAX_BODY_BYTES: z.coerce
      .number({ error: positiveBytes })
      .int(positiveBytes)
      .positive(positiveBytes)
      .default(65_536),
  })
  .superRefine((env, ctx) => {
    checkRedisEnv(env, ctx);
    checkHttpServerEnv(env, ctx);
  });

export type IngressConfig = Readonly<z.infer<typeof ingressEnvSchema>>;

/** Reads the ingress settings once; throws ConfigError with one line naming the variable. */
export function loadIngressConfig(env: NodeJS.ProcessEnv = process.env): IngressConfig {
  return loadConfig(ingressEnvSchema, env);
}
