import {
  closeQueues,
  createProducerConnection,
  createQueues,
  readinessPing,
  redisTargetOf,
  type JobName,
  type Queues,
  type RedisClient,
} from '@tracksync/queue';
import type { Job } from 'bullmq';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createApp } from '../src/app';
import { loadIngressConfig } from '../src/config';
import { createIngressMetrics, type IngressMetrics } from '../src/metrics';

export type LogLine = Record<string, unknown> & { level: number; msg: string };

export interface RunningIngress {
  readonly url: string;
  readonly queues: Queues;
  readonly redis: RedisClient;
  readonly metrics: IngressMetrics;
  /** Every line the app logged, parsed. */
  readonly logs: LogLine[];
  /** The raw log output, to prove what it never contains. */
  readonly logText: () => string;
  /** Removes every job, so each test starts from empty queues. */
  clearQueues(): Promise<void>;
  jobs(name: JobName): Promise<Job[]>;
  close(): Promise<void>;
}

/**
 * The real app on a free port, against a real Redis, with a logger whose output the test can
 * read. The queues share one producer connection, exactly as main.ts wires them. For a
 * cluster, leave `redisUrl` out and put REDIS_CLUSTER_NODES in `env`.
 */
export async function startIngress(options: {
  readonly redisUrl?: string;
  readonly prefix: string;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<RunningIngress> {
  const config = loadIngressConfig({
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    ...options.env,
  });
  const output: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void output.push(line) });
  const redis = createProducerConnection(redisTargetOf(config));
  // Outage tests make Redis fail on purpose; the errors are expected, not worth printing.
  redis.on('error', () => undefined);
  const queues = createQueues({
    connection: redis,
    prefix: options.prefix,
    onError: () => undefined,
  });
  const metrics = createIngressMetrics();
  const ping = readinessPing(redis, options.prefix);
  const app = createApp({ config, queues, redis: ping, log, metrics });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const queueFor = (name: JobName) => (name === 'tracking-event' ? queues.ingest : queues.parked);
  return {
    url: `http://127.0.0.1:${port}`,
    queues,
    redis,
    metrics,
    get logs() {
      return output.map((line) => JSON.parse(line) as LogLine);
    },
    logText: () => output.join(''),
    async clearQueues() {
      await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
    },
    jobs: (name) => queueFor(name).getJobs(['waiting', 'delayed', 'prioritized', 'active']),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await closeQueues(queues);
      redis.disconnect();
    },
  };
}

export function sign(body: string | Buffer, secret: string, encoding: 'hex' | 'base64' = 'hex') {
  return createHmac('sha256', secret).update(body).digest(encoding);
}

export interface PostOptions {
  readonly secret?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly path?: string;
}

/** Posts a body as Starshipit would: JSON content type, signed when a secret is given. */
export function postWebhook(
  ingress: Pick<RunningIngress, 'url'>,
  body: string | Buffer,
  options: PostOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.secret) headers['x-starshipit-signature'] = sign(body, options.secret);
  return fetch(`${ingress.url}${options.path ?? '/callback/'}`, {
    method: 'POST',
    headers: { ...headers, ...options.headers },
    body,
  });
}
