import { listTrackingEvents } from '@tracksync/db';
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { replayEvent } from '../../deliveries/requests';
import type { ScheduleDeps } from '../../deliveries/schedule';
import { presentDeliveryIds, presentEvent } from './present';
import { limitSchema, notFound, parseOrReject } from './request';

const filterValue = z.string().min(1).max(200).optional();

/** Strict: a misspelt filter must not quietly answer with every event. */
const eventQuerySchema = z.strictObject({
  order_number: filterValue,
  tracking_number: filterValue,
  limit: limitSchema,
});

/** Without a destination, the replay goes to every configured one. */
const replayQuerySchema = z.strictObject({ destination: z.string().min(1).max(40).optional() });

export function eventRoutes(deps: ScheduleDeps & { readonly log: Logger }): Router {
  const router = Router();
  router.get('/events', async (req, res) => {
    const query = parseOrReject(eventQuerySchema, req.query, res);
    if (!query) return;
    const events = await listTrackingEvents(deps.db, {
      orderNumber: query.order_number,
      trackingNumber: query.tracking_number,
      limit: query.limit,
    });
    res.json({ events: events.map(presentEvent) });
  });

  router.post('/events/:event_id/replay', async (req, res) => {
    const query = parseOrReject(replayQuerySchema, req.query, res);
    if (!query) return;
    if (query.destination && !deps.destinations.names.includes(query.destination)) {
      notFound(res, `no destination ${query.destination}`);
      return;
    }
    const eventId = req.params.event_id;
    const deliveryIds = await replayEvent(deps, eventId, query.destination);
    if (!deliveryIds) {
      notFound(res, `no event with id ${eventId}`);
      return;
    }
    deps.log.info({ eventId, deliveryIds }, 'event replayed by an operator');
    res.status(202).json({ status: 'queued', ...presentDeliveryIds(deliveryIds) });
  });
  return router;
}
