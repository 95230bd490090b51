import {
  TransformationError,
  changeOf,
  type ShipmentUpdate,
  type SourceAdapter,
} from '@tracksync/adapters';
import { createDb, findShipment, newDeliveryId, toShipmentState } from '@tracksync/db';
import { closeQueues, createProducerConnection, createQueues } from '@tracksync/queue';
import { ConfigError, createLogger } from '@tracksync/runtime';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadWorkerConfig, type WorkerConfig } from '../config';
import { retryFailedDeliveries } from '../deliveries/requests';
import { buildDestinations } from './build';

export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const USAGE = `usage:
  npm run destinations -- dry-run --destination NAME (--tracking-number TN | --change FILE.json)
  npm run destinations -- retry-failed --destination NAME [--since ISO-INSTANT]
`;

/** A change as a JSON file gives it: the §6 body's data (snake_case), or that body whole. */
const changeFileSchema = z.object({
  order_number: z.string(),
  tracking_number: z.string(),
  tracking_status: z.string(),
  last_updated_date: z.string(),
  source_order_id: z.string().nullish(),
  carrier_name: z.string().nullish(),
  carrier_service: z.string().nullish(),
  shipment_date: z.string().nullish(),
  order_reference: z.string().nullish(),
});

/**
 * `dry-run` shows the request a destination would send for a change — a stored shipment's
 * current state, or a change from a JSON file — without sending it. `retry-failed` retries a
 * destination's failed deliveries (since an instant), in order per shipment. Returns the exit code.
 */
export async function runDestinationsCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      destination: { type: 'string' },
      'tracking-number': { type: 'string' },
      change: { type: 'string' },
      since: { type: 'string' },
    },
  });
  const [command] = positionals;
  if (!values.destination || (command !== 'dry-run' && command !== 'retry-failed')) {
    io.err(USAGE);
    return 2;
  }
  try {
    const config = loadWorkerConfig(env);
    if (command === 'retry-failed')
      return await retry(config, values.destination, values.since, io);
    return await dryRun(config, env, { ...values, destination: values.destination }, io);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`invalid configuration: ${err.message}\n`);
    return 1;
  }
}

async function dryRun(
  config: WorkerConfig,
  env: NodeJS.ProcessEnv,
  args: {
    destination: string;
    'tracking-number'?: string | undefined;
    change?: string | undefined;
  },
  io: CommandIo,
): Promise<number> {
  const log = createLogger('destinations', 'warn');
  const destination = (await buildDestinations(config, { env, log })).get(args.destination);
  if (!destination) {
    io.err(`no destination ${args.destination}\n`);
    return 1;
  }
  const update = args.change
    ? await updateFromFile(args.change)
    : await updateFromShipment(config, args['tracking-number'] ?? '');
  if (!update) {
    io.err(`no shipment ${args['tracking-number'] ?? ''} (give --tracking-number or --change)\n`);
    return 1;
  }
  const accepted = destination.accepts({ ...update, lastEventId: '' });
  io.out(`change: ${JSON.stringify(changeOf(update, new Date()))}\n`);
  if (!accepted) io.out(`filter: ${args.destination} would skip this change\n`);
  return preview(destination.adapter, update, io);
}

async function preview(adapter: SourceAdapter, update: ShipmentUpdate, io: CommandIo) {
  if (!adapter.preview) {
    io.out(`adapter ${adapter.name} makes its own requests; it has no single request to show\n`);
    return 0;
  }
  try {
    // Auth and signing headers are added at send time and are not shown: they hold secrets.
    io.out(`request: ${JSON.stringify(await adapter.preview(update), null, 2)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof TransformationError)) throw err;
    io.err(`${err.message}\n`);
    return 1;
  }
}

async function updateFromFile(path: string): Promise<ShipmentUpdate> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as { data?: unknown };
  const change = changeFileSchema.parse(raw.data ?? raw);
  return {
    deliveryId: newDeliveryId(),
    orderNumber: change.order_number,
    sourceOrderId: change.source_order_id ?? null,
    trackingNumber: change.tracking_number,
    carrierName: change.carrier_name ?? null,
    carrierService: change.carrier_service ?? null,
    trackingStatus: change.tracking_status,
    shipmentDate: change.shipment_date ?? null,
    lastUpdatedDate: change.last_updated_date,
    orderReference: change.order_reference ?? null,
  };
}

async function updateFromShipment(config: WorkerConfig, trackingNumber: string) {
  const database = createDb(config.DATABASE_URL, { max: 1 });
  try {
    const shipment = await findShipment(database.db, trackingNumber);
    if (!shipment) return null;
    return {
      ...toShipmentState(shipment),
      deliveryId: newDeliveryId(),
      sourceOrderId: shipment.sourceOrderId,
    } satisfies ShipmentUpdate;
  } finally {
    await database.close();
  }
}

async function retry(
  config: WorkerConfig,
  destination: string,
  since: string | undefined,
  io: CommandIo,
): Promise<number> {
  const sinceDate = since === undefined ? undefined : new Date(since);
  if (sinceDate && Number.isNaN(sinceDate.getTime())) {
    io.err(`--since: not an ISO-8601 instant: ${since ?? ''}\n`);
    return 2;
  }
  const database = createDb(config.DATABASE_URL, { max: 2 });
  const connection = createProducerConnection(config.REDIS_URL);
  const queues = createQueues({
    connection,
    prefix: config.QUEUE_PREFIX,
    onError: () => undefined,
  });
  try {
    const deps = { db: database.db, queues, config, destinations: { names: [destination] } };
    const result = await retryFailedDeliveries(deps, 500, { destination, since: sinceDate });
    io.out(`${JSON.stringify({ destination, ...result })}\n`);
    return 0;
  } finally {
    await closeQueues(queues);
    await connection.quit();
    await database.close();
  }
}
