import { createDb, deliveries, shipments, trackingEvents } from '@tracksync/db';
import { closeQueues, createQueues, createWorkerConnection, type Queues } from '@tracksync/queue';
import { asc } from 'drizzle-orm';

/** What Postgres and the queues hold at one moment. */
export interface Snapshot {
  readonly events: readonly { eventId: string; trackingNumber: string }[];
  readonly shipments: readonly { trackingNumber: string; lastEventId: string }[];
  /** Ordered by `seq`, the order the source system must hear them in. */
  readonly deliveries: readonly {
    deliveryId: string;
    trackingNumber: string;
    destination: string;
    eventId: string | null;
    status: string;
    trackingStatus: string;
  }[];
  /** Jobs not yet finished (waiting, active, delayed…) and failed for good, per queue. */
  readonly jobs: Readonly<Record<'ingest' | 'delivery', { open: number; failed: number }>>;
}

export interface Probe {
  read(): Promise<Snapshot>;
  close(): Promise<void>;
}

async function jobCounts(queues: Queues, name: 'ingest' | 'delivery') {
  const counts = await queues[name].getJobCounts(
    'waiting',
    'active',
    'delayed',
    'prioritized',
    'waiting-children',
    'failed',
  );
  const { failed = 0, ...open } = counts;
  return { open: Object.values(open).reduce((sum, n) => sum + n, 0), failed };
}

/** Opened after the faults are over: it reads, it does not ride out outages. */
export function openProbe(databaseUrl: string, redisUrl: string, prefix: string): Probe {
  const database = createDb(databaseUrl, { max: 2 });
  const connection = createWorkerConnection(redisUrl);
  const queues = createQueues({ connection, prefix, onError: () => undefined });
  const { db } = database;
  return {
    async read() {
      const [events, shipmentRows, deliveryRows, ingest, delivery] = await Promise.all([
        db
          .select({
            eventId: trackingEvents.eventId,
            trackingNumber: trackingEvents.trackingNumber,
          })
          .from(trackingEvents),
        db
          .select({ trackingNumber: shipments.trackingNumber, lastEventId: shipments.lastEventId })
          .from(shipments),
        db.select().from(deliveries).orderBy(asc(deliveries.seq)),
        jobCounts(queues, 'ingest'),
        jobCounts(queues, 'delivery'),
      ]);
      return {
        events,
        shipments: shipmentRows,
        deliveries: deliveryRows.map((row) => ({
          deliveryId: row.deliveryId,
          trackingNumber: row.trackingNumber,
          destination: row.destination,
          eventId: row.eventId,
          status: row.status,
          trackingStatus: row.state.trackingStatus,
        })),
        jobs: { ingest, delivery },
      };
    },
    async close() {
      await closeQueues(queues);
      await connection.quit();
      await database.close();
    },
  };
}
