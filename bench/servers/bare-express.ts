/**
 * The baselines of the ingress case, on the same path, answering the same bodies with a JSON
 * answer of the same shape. (1a) a bare Express 5 JSON route and nothing else: no signature
 * check, no validation, no Redis. (1c) with REDIS_URL set, the same route also adds each body
 * as one BullMQ job under the ingest queue's job options, the jobs of one event-loop turn in
 * one addBulk as the ingress does: the framework's own floor for accepting a webhook.
 * Started by the bench as its own pinned process.
 */
import { createProducerConnection, JOBS, QUEUE_NAMES } from '@tracksync/queue';
import { Queue, type JobsOptions } from 'bullmq';
import express from 'express';

type Enqueue = (id: string, body: unknown) => Promise<void>;

interface BulkJob {
  readonly name: string;
  readonly data: unknown;
  readonly opts: JobsOptions;
}

/** One addBulk per turn of the event loop; each caller hears when its batch is in Redis. */
async function bullmqEnqueue(redisUrl: string, prefix: string): Promise<Enqueue> {
  const queue = new Queue(QUEUE_NAMES.ingest, {
    connection: createProducerConnection(redisUrl),
    prefix,
  });
  // The producer connection fails commands while it connects: be ready before listening.
  await queue.waitUntilReady();
  let open: { jobs: BulkJob[]; sent: Promise<unknown> } | null = null;
  return async (id, body) => {
    if (!open) {
      const jobs: BulkJob[] = [];
      const sent = new Promise((resolve, reject) => {
        setImmediate(() => {
          open = null;
          queue.addBulk(jobs).then(resolve, reject);
        });
      });
      open = { jobs, sent };
    }
    open.jobs.push({
      name: 'tracking-event',
      data: body,
      opts: { ...JOBS['tracking-event'].options, jobId: id },
    });
    await open.sent;
  };
}

const port = Number(process.env.PORT ?? '0');
const enqueue: Enqueue | null = process.env.REDIS_URL
  ? await bullmqEnqueue(process.env.REDIS_URL, process.env.QUEUE_PREFIX ?? 'bench')
  : null;
const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/callback', express.json({ type: () => true, limit: 65_536 }), async (req, res) => {
  const body = req.body as { tracking_number?: unknown } | undefined;
  const id = typeof body?.tracking_number === 'string' ? body.tracking_number : '';
  if (enqueue) {
    try {
      // Every bench request is a new shipment, so its tracking number is a unique job id.
      await enqueue(id, body);
    } catch {
      res.status(503).json({ error: 'queue_unavailable' });
      return;
    }
  }
  res.json({ status: 'accepted', event_id: id });
});

const server = app.listen(port, '127.0.0.1', (err?: Error) => {
  if (err) {
    process.stderr.write(`bare-express: cannot listen: ${err.message}\n`);
    process.exit(1);
  }
});

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  server.closeAllConnections();
});
