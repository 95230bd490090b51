import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queues } from '@tracksync/queue';
import type { Express } from 'express';

export const BOARD_PATH = '/admin/queues';

export interface BoardDeps {
  /** Already bound to QUEUE_PREFIX: the board reads the keys of this deployment only. */
  readonly queues: Queues;
  readonly queuePrefix: string;
}

/**
 * Bull Board for every queue of tracksync. Ingest and parked jobs are read-only here: the
 * event log, not the job, is what counts for them, and a stored event is replayed through
 * the ops API. Failed deliveries are the dead-letter view, so retrying them is allowed.
 */
export function createBoard({ queues, queuePrefix }: BoardDeps): Express {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: [
      new BullMQAdapter(queues.ingest, {
        readOnlyMode: true,
        description: 'Tracking events on their way to the event log',
      }),
      new BullMQAdapter(queues.parked, {
        readOnlyMode: true,
        description: 'Rejected but authentic webhooks on their way to parked_payloads',
      }),
      new BullMQAdapter(queues.delivery, {
        readOnlyMode: false,
        allowRetries: true,
        description: 'Changes of state to push to the source system; retry failed ones here',
      }),
      new BullMQAdapter(queues.reconcile, {
        readOnlyMode: true,
        description: 'Reconciliation runs; POST /api/reconcile starts one now',
      }),
    ],
    serverAdapter,
    // Several deployments may share one Redis; the title says whose queues these are.
    options: { uiConfig: { boardTitle: `tracksync · ${queuePrefix}` } },
  });
  const board = serverAdapter.getRouter() as Express;
  // A mounted sub-app does not inherit this setting from the admin app.
  board.disable('x-powered-by');
  return board;
}
