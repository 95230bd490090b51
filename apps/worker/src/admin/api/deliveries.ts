import { listFailedDeliveries } from '@tracksync/db';
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { retryFailedDeliveries, retryFailedDelivery } from '../../deliveries/requests';
import type { ScheduleDeps } from '../../deliveries/schedule';
import { presentDeliveryRow } from './present';
import { limitSchema, notFound, parseOrReject } from './request';

const failedQuerySchema = z.strictObject({
  limit: limitSchema,
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** Failed deliveries and their retry: the same functions the console's buttons call. */
export function deliveryRoutes(deps: ScheduleDeps & { readonly log: Logger }): Router {
  const router = Router();
  router.get('/deliveries/failed', async (req, res) => {
    const query = parseOrReject(failedQuerySchema, req.query, res);
    if (!query) return;
    const rows = await listFailedDeliveries(deps.db, query);
    res.json({
      deliveries: rows.map((row) => ({
        tracking_number: row.trackingNumber,
        order_number: row.state.orderNumber,
        tracking_status: row.state.trackingStatus,
        ...presentDeliveryRow(row),
      })),
    });
  });

  // Before the `:delivery_id` route, so `retry-failed` is never read as a delivery id.
  router.post('/deliveries/retry-failed', async (_req, res) => {
    const { queued, refused } = await retryFailedDeliveries(deps);
    deps.log.info({ queued, refused }, 'failed deliveries retried by an operator');
    res.status(202).json({ status: 'queued', queued, refused });
  });

  router.post('/deliveries/:delivery_id/retry', async (req, res) => {
    const deliveryId = req.params.delivery_id;
    const outcome = await retryFailedDelivery(deps, deliveryId);
    deps.log.info({ deliveryId, outcome }, 'failed delivery retried by an operator');
    if (outcome === 'queued') {
      res.status(202).json({ status: 'queued', delivery_id: deliveryId });
    } else if (outcome === 'not_found') {
      notFound(res, `no delivery with id ${deliveryId}`);
    } else {
      const message =
        outcome === 'refused'
          ? 'a newer change of this shipment was delivered since; replay its current state instead'
          : 'the delivery has not failed';
      res
        .status(409)
        .json({ error: outcome === 'refused' ? 'retry_refused' : 'not_failed', message });
    }
  });
  return router;
}
