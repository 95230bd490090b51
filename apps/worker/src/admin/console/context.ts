import type { Database } from '@tracksync/db';
import type { Queues } from '@tracksync/queue';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../../config';
import type { ScheduleDeps } from '../../deliveries/schedule';
import type { DestinationControl } from '../../destinations/control';
import type { DestinationSet } from '../../destinations/set';
import type { WrongTokenLimit } from '../wrong-tokens';
import { renderPage, type PageShell } from './layout';
import type { Session, SessionRedis } from './session';

export interface ConsoleDeps extends ScheduleDeps {
  readonly db: Database;
  readonly queues: Queues;
  /** Holds the sessions; the admin port's own Redis connection. */
  readonly sessionRedis: SessionRedis;
  readonly log: Logger;
  readonly config: Pick<
    WorkerConfig,
    'QUEUE_PREFIX' | 'DELIVERY_ATTEMPTS' | 'DELIVERY_BACKOFF_MS' | 'CONSOLE_COOKIE_SECURE'
  > & { readonly ADMIN_TOKEN: string };
  readonly reconcileEnabled: boolean;
  /** The configured destinations, and their pause switches (the Destinations page). */
  readonly destinations: DestinationSet;
  readonly control: DestinationControl;
  /** Shared with the API's token check: one allowance of wrong tokens per address. */
  readonly wrongTokens: WrongTokenLimit;
}

/** The signed-in operator's session, set by the session guard for every page and action. */
export function sessionOf(res: Response): Session {
  return (res.locals as { session: Session }).session;
}

/** Sends a whole page, with the session's CSRF token for its forms and the nav. */
export function sendPage(
  req: Request,
  res: Response,
  shell: Omit<PageShell, 'csrf' | 'notice'>,
  status = 200,
): void {
  res
    .status(status)
    .type('html')
    .send(renderPage({ ...shell, csrf: sessionOf(res).csrf, notice: noticeOf(req) }));
}

/**
 * What the last action did, carried in the redirect after it (`?done=…&what=…`), so a reload
 * repeats nothing. Only known codes are shown; `what` is escaped like any other text.
 */
const NOTICES: Record<string, (what: string) => PageShell['notice']> = {
  matched: (what) => ({ kind: 'ok', text: `Matched; the current state is on its way (${what}).` }),
  unknown_shipment: (what) => ({
    kind: 'error',
    text: `No shipment with tracking number ${what}.`,
  }),
  unmatched_retried: (what) => ({ kind: 'ok', text: `Asked the source again about ${what}.` }),
  retried: (what) => ({ kind: 'ok', text: `Delivery ${what} is queued again.` }),
  retry_refused: (what) => ({
    kind: 'error',
    text: `Not retried: a newer change of this shipment was delivered since ${what} failed; replay the current state instead.`,
  }),
  retry_not_failed: (what) => ({ kind: 'error', text: `Delivery ${what} is no longer failed.` }),
  retried_all: (what) => ({ kind: 'ok', text: `Retried failed deliveries: ${what}.` }),
  paused: (what) => ({
    kind: 'ok',
    text: `Paused ${what}: its changes wait in its outbox, in order, until it is resumed.`,
  }),
  resumed: (what) => ({
    kind: 'ok',
    text: `Resumed ${what}: its waiting changes go out within seconds.`,
  }),
  unknown_destination: (what) => ({ kind: 'error', text: `No destination named ${what}.` }),
  replayed: (what) => ({ kind: 'ok', text: `Current state queued for delivery (${what}).` }),
  reconcile_queued: (what) => ({ kind: 'ok', text: `Reconciliation run queued (${what}).` }),
  reconcile_disabled: () => ({
    kind: 'error',
    text: 'Reconciliation is off: set STARSHIPIT_API_KEY and STARSHIPIT_SUBSCRIPTION_KEY.',
  }),
};

function noticeOf(req: Request): PageShell['notice'] {
  const query = req.query as Record<string, unknown>;
  const make = typeof query.done === 'string' ? NOTICES[query.done] : undefined;
  const what = typeof query.what === 'string' ? query.what.slice(0, 200) : '';
  return make?.(what);
}

/** After an action: back to a console page, saying what happened. */
export function redirectDone(res: Response, path: string, done: string, what = ''): void {
  const separator = path.includes('?') ? '&' : '?';
  const query = new URLSearchParams({ done, what }).toString();
  res.redirect(303, `${path}${separator}${query}`);
}
