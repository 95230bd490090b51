import express, { Router } from 'express';
import type { Logger } from 'pino';
import type { ScheduleDeps } from '../../deliveries/schedule';
import { deliveryRoutes } from './deliveries';
import { destinationRoutes, type DestinationRoutesDeps } from './destinations';
import { eventRoutes } from './events';
import { parkedRoutes } from './parked';
import { reconcileRoutes, type ReconcileRoutesDeps } from './reconcile';
import { bodyErrors } from './request';
import { shipmentRoutes } from './shipments';
import { unmatchedRoutes } from './unmatched';

export type OpsApiDeps = ScheduleDeps &
  ReconcileRoutesDeps &
  DestinationRoutesDeps & { readonly log: Logger };

/** The only body is `{"source_order_id":"…"}`; anything near this limit is not an operator. */
const BODY_LIMIT = '16kb';

/** The JSON ops API, to be mounted under `/api` behind the admin token. */
export function opsApi(deps: OpsApiDeps): Router {
  const router = Router();
  router.use(express.json({ limit: BODY_LIMIT }), bodyErrors);
  router.use(shipmentRoutes(deps));
  router.use(eventRoutes(deps));
  router.use(unmatchedRoutes(deps));
  router.use(deliveryRoutes(deps));
  router.use(parkedRoutes(deps));
  router.use(destinationRoutes(deps));
  router.use(reconcileRoutes(deps));
  return router;
}
