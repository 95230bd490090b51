import { listUnmatchedDestinations, listUnmatchedShipments } from '@tracksync/db';
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { matchShipment, retryUnmatchedShipments } from '../../deliveries/requests';
import type { ScheduleDeps } from '../../deliveries/schedule';
import { presentDeliveryIds, presentDeliveryRow, presentShipment } from './present';
import { limitSchema, notFound, parseOrReject } from './request';

const unmatchedQuerySchema = z.strictObject({ limit: limitSchema });

const matchBodySchema = z.object({
  source_order_id: z.string().trim().min(1).max(200),
});

export function unmatchedRoutes(deps: ScheduleDeps & { readonly log: Logger }): Router {
  const router = Router();
  router.get('/unmatched', async (req, res) => {
    const query = parseOrReject(unmatchedQuerySchema, req.query, res);
    if (!query) return;
    const unmatched = await listUnmatchedShipments(deps.db, query.limit);
    const destinations = await listUnmatchedDestinations(
      deps.db,
      unmatched.map(({ shipment }) => shipment.trackingNumber),
    );
    const shipments = unmatched.map(({ shipment, lastAnswered }) => ({
      ...presentShipment(shipment),
      // The mark is per shipment; these are the destinations whose last answer was a 404.
      unmatched_destinations: destinations.get(shipment.trackingNumber) ?? [],
      last_delivery: lastAnswered ? presentDeliveryRow(lastAnswered) : null,
    }));
    res.json({ shipments });
  });

  router.post('/unmatched/:tracking_number/match', async (req, res) => {
    const body = parseOrReject(matchBodySchema, req.body, res);
    if (!body) return;
    const trackingNumber = req.params.tracking_number;
    const sourceOrderId = body.source_order_id;
    const deliveryIds = await matchShipment(deps, trackingNumber, sourceOrderId);
    if (!deliveryIds) {
      notFound(res, `no shipment with tracking number ${trackingNumber}`);
      return;
    }
    deps.log.info(
      { trackingNumber, sourceOrderId, deliveryIds },
      'shipment matched by an operator',
    );
    res.status(202).json({ status: 'queued', ...presentDeliveryIds(deliveryIds) });
  });

  // What each reconciliation run does for them, now.
  router.post('/unmatched/retry', async (_req, res) => {
    const retried = await retryUnmatchedShipments(deps);
    deps.log.info({ retried }, 'unmatched shipments retried by an operator');
    res.status(202).json({ status: 'queued', retried });
  });
  return router;
}
