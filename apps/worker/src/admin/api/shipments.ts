import { findShipmentDetail, type Database } from '@tracksync/db';
import { Router } from 'express';
import { presentDelivery, presentEvent, presentShipment } from './present';
import { notFound } from './request';

export function shipmentRoutes(deps: { readonly db: Database }): Router {
  const router = Router();
  router.get('/shipments/:tracking_number', async (req, res) => {
    const trackingNumber = req.params.tracking_number;
    const detail = await findShipmentDetail(deps.db, trackingNumber);
    if (!detail) {
      notFound(res, `no shipment with tracking number ${trackingNumber}`);
      return;
    }
    res.json({
      shipment: presentShipment(detail.shipment),
      events: detail.events.map(presentEvent),
      deliveries: detail.deliveries.map(presentDelivery),
    });
  });
  return router;
}
