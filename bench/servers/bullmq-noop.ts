/**
 * Case 2(c): the framework's ceiling. A BullMQ worker with the worker's concurrency and
 * connection settings consumes the same pre-enqueued tracking-event jobs and, like the ingest
 * processor, adds one deliver-shipment job per event, but touches no database. With 2(a) it
 * bounds what 2(b) can reach: each event costs at least its SQL plus these two BullMQ calls.
 *
 * Env: REDIS_URL, QUEUE_PREFIX, EVENTS, CONCURRENCY. Prints `{"bullmqNoop":{…}}` and exits.
 */
import {
  closeQueues,
  createQueues,
  createWorkerConnection,
  enqueue,
  QUEUE_NAMES,
} from '@tracksync/queue';
import { Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';

async function main(): Promise<void> {
  const events = Number(process.env.EVENTS);
  const prefix = process.env.QUEUE_PREFIX ?? '';
  const connection = createWorkerConnection(process.env.REDIS_URL ?? '');
  const queues = createQueues({ connection, prefix, onError: () => undefined });
  let done = 0;
  let firstAt = 0;
  let lastAt = 0;
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(
      QUEUE_NAMES.ingest,
      async () => {
        await enqueue(queues, 'deliver-shipment', {
          deliveryId: `dlv_${randomUUID().replaceAll('-', '')}`,
        });
      },
      { connection, prefix, concurrency: Number(process.env.CONCURRENCY) },
    );
    worker.on('completed', () => {
      lastAt = performance.now();
      if (done === 0) firstAt = lastAt;
      done += 1;
      if (done === events) void worker.close().then(resolve);
    });
  });
  await finished;
  await closeQueues(queues);
  await connection.quit();
  const eventsPerS = (done - 1) / ((lastAt - firstAt) / 1000);
  process.stdout.write(`${JSON.stringify({ bullmqNoop: { events: done, eventsPerS } })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bullmq-noop: ${String(err)}\n`);
  process.exit(1);
});
