import { z } from 'zod';

/** The seed nodes of a Redis Cluster: the client learns the rest of the cluster from them. */
export interface RedisClusterSeeds {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username?: string;
  readonly password?: string;
  /** `rediss://` entries: TLS to every node. */
  readonly tls: boolean;
}

const SEED_FORMAT = 'comma-separated host:port (or redis:// / rediss:// URLs) of the cluster nodes';

/**
 * `REDIS_CLUSTER_NODES=10.0.0.1:6379,10.0.0.2:6379` — the convention of other BullMQ
 * services (n8n's `QUEUE_BULL_REDIS_CLUSTER_NODES`). Entries may be URLs to carry a password
 * or TLS; they must then all agree, since one client talks to every node the same way.
 */
const clusterSeedsSchema = z.string().transform((value, ctx): RedisClusterSeeds => {
  const entries = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const urls = entries.map(parseSeed).filter((url) => url !== null);
  const [first] = urls;
  if (!first || urls.length !== entries.length) {
    ctx.addIssue({ code: 'custom', message: `must be ${SEED_FORMAT}` });
    return z.NEVER;
  }
  const access = (url: URL) => `${url.protocol}//${url.username}:${url.password}`;
  if (urls.some((url) => access(url) !== access(first))) {
    ctx.addIssue({ code: 'custom', message: 'every node must use the same scheme and password' });
    return z.NEVER;
  }
  return {
    nodes: urls.map((url) => ({ host: hostOf(url), port: Number(url.port) })),
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    tls: first.protocol === 'rediss:',
  };
});

function parseSeed(entry: string): URL | null {
  try {
    const url = new URL(entry.includes('://') ? entry : `redis://${entry}`);
    const plain = url.pathname === '' || url.pathname === '/';
    const valid = /^rediss?:$/.test(url.protocol) && url.hostname !== '' && url.port !== '';
    return valid && plain ? url : null;
  } catch {
    return null;
  }
}

/** `[::1]` → `::1`: sockets take the bare address. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * The hash tag Redis Cluster hashes a key by: the text between the first `{` and the first
 * `}` after it, when not empty. A prefix that holds one puts every key under it in one slot.
 */
export function hashTagOf(prefix: string): string | null {
  const open = prefix.indexOf('{');
  if (open === -1) return null;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : null;
}

export const redisEnv = {
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** Set: tracksync talks to a Redis Cluster through these seeds and REDIS_URL is ignored. */
  REDIS_CLUSTER_NODES: clusterSeedsSchema.optional(),
};

/**
 * BullMQ runs multi-key Lua scripts over each queue's keys, and Redis Cluster refuses a
 * script whose keys sit in different slots (CROSSSLOT). A hash tag in the prefix keeps a
 * deployment's keys — every queue and the Starshipit rate limiter — in one slot.
 */
export function checkRedisEnv(
  env: { readonly QUEUE_PREFIX: string; readonly REDIS_CLUSTER_NODES?: RedisClusterSeeds },
  ctx: Pick<z.core.$RefinementCtx, 'addIssue'>,
): void {
  if (env.REDIS_CLUSTER_NODES && hashTagOf(env.QUEUE_PREFIX) === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['QUEUE_PREFIX'],
      message:
        'on Redis Cluster (REDIS_CLUSTER_NODES is set) it needs a hash tag such as {tracksync}, so every key of the queues lands in one slot',
    });
  }
}
