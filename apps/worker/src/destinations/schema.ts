import { authSchema, SIGNING_SECRET_HINT, isSigningSecret } from '@tracksync/adapters';
import { z } from 'zod';

/** Names end up in job ids, Redis keys and metric labels: keep them plain. */
const nameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, _ and -, at most 40');

const filterSchema = z.strictObject({
  /** Only these Starshipit statuses (as sent, e.g. Dispatched, Delivered). */
  statuses: z.array(z.string().min(1)).min(1).optional(),
  /** Only these carriers (`carrier_name`, compared without regard to case). */
  carriers: z.array(z.string().min(1)).min(1).optional(),
  /** Only order numbers matching this regular expression. */
  order_number: z.string().refine(isRegExp, 'must be a valid regular expression').optional(),
});

const common = {
  filter: filterSchema.optional(),
  /** At most this many requests per second, across every worker replica. */
  rate_limit_per_sec: z.number().int().min(1).max(10_000).optional(),
  timeout_ms: z.number().int().min(1).max(120_000).default(10_000),
};

const httpSchema = z
  .strictObject({
    adapter: z.literal('http'),
    /** Where the §6 body goes; a transformation may name its own URL per request instead. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Path of a JS (ESM) module default-exporting a transformation. */
    transform: z.string().min(1).optional(),
    /** Handed to the transformation as `context.options` (base URLs, mappings, …). */
    transform_options: z.record(z.string(), z.unknown()).default({}),
    /** Standard Webhooks secret; set, every request is signed. */
    signing_secret: z.string().refine(isSigningSecret, SIGNING_SECRET_HINT).optional(),
    auth: authSchema.optional(),
    ...common,
  })
  .refine((spec) => spec.url !== undefined || spec.transform !== undefined, {
    error: 'required unless transform is set',
    path: ['url'],
  });

const logSchema = z.strictObject({ adapter: z.literal('log'), ...common });

const woocommerceSchema = z.strictObject({
  adapter: z.literal('woocommerce'),
  options: z.record(z.string(), z.unknown()),
  ...common,
});

const pluginSchema = z.strictObject({
  adapter: z.literal('plugin'),
  /** Path of a JS (ESM) module default-exporting an AdapterFactory. */
  module: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
  ...common,
});

export const destinationSchema = z.discriminatedUnion('adapter', [
  httpSchema,
  logSchema,
  woocommerceSchema,
  pluginSchema,
]);

export const configFileSchema = z.strictObject({
  destinations: z
    .record(nameSchema, destinationSchema)
    .refine((all) => Object.keys(all).length > 0, 'name at least one destination'),
});

export type DestinationSpec = z.infer<typeof destinationSchema>;
export type FilterSpec = z.infer<typeof filterSchema>;

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}
