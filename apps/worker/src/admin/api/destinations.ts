import { Router, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { retryFailedDeliveries } from '../../deliveries/requests';
import type { ScheduleDeps } from '../../deliveries/schedule';
import type { DestinationControl } from '../../destinations/control';
import type { Destination, DestinationSet } from '../../destinations/set';
import { readDestinationStates, SWITCHES, switchDestination } from '../../destinations/states';
import { notFound, parseOrReject } from './request';

export interface DestinationRoutesDeps extends ScheduleDeps {
  readonly destinations: DestinationSet;
  readonly control: DestinationControl;
  readonly log: Logger;
}

const retryQuerySchema = z.strictObject({
  /** Only deliveries that failed at or after this instant. */
  since: z.iso.datetime({ offset: true }).optional(),
});

/**
 * Each destination's state (paused, rate cap, pending and failed counts), pause and resume,
 * and a bulk retry of its failed deliveries. Never a secret: only the summary built at start.
 */
export function destinationRoutes(deps: DestinationRoutesDeps): Router {
  const router = Router();
  router.get('/destinations', async (_req, res) => {
    const states = await readDestinationStates(deps);
    res.json({
      destinations: states.map((state) => ({
        name: state.name,
        ...state.summary,
        rate_limit_per_sec: state.rateLimitPerSec,
        paused: state.pausedAt !== null,
        paused_at: state.pausedAt,
        pending: state.pending,
        failed: state.failed,
      })),
    });
  });

  for (const [action, to] of SWITCHES) {
    router.post(`/destinations/:name/${action}`, async (req, res) => {
      const destination = known(deps, req.params.name, res);
      if (!destination) return;
      await switchDestination(deps, destination.name, to);
      res.status(202).json({ status: to, destination: destination.name });
    });
  }

  router.post('/destinations/:name/retry-failed', async (req, res) => {
    const query = parseOrReject(retryQuerySchema, req.query, res);
    if (!query) return;
    const destination = known(deps, req.params.name, res);
    if (!destination) return;
    const since = query.since === undefined ? undefined : new Date(query.since);
    const { queued, refused } = await retryFailedDeliveries(deps, 500, {
      destination: destination.name,
      since,
    });
    deps.log.info(
      { destination: destination.name, since, queued, refused },
      'failed deliveries of a destination retried by an operator',
    );
    res.status(202).json({ status: 'queued', queued, refused });
  });
  return router;
}

function known(deps: DestinationRoutesDeps, name: string, res: Response): Destination | undefined {
  const destination = deps.destinations.get(name);
  if (!destination) notFound(res, `no destination ${name}`);
  return destination;
}
