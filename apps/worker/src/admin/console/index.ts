import express, { Router, type ErrorRequestHandler } from 'express';
import { assetRoutes } from './assets';
import type { ConsoleDeps } from './context';
import { requireCsrf, requireSameOrigin, requireSession, refuse } from './guard';
import { loginRoutes, logoutRoutes } from './login';
import { destinationRoutes } from './pages/destinations';
import { failedRoutes } from './pages/failed';
import { overviewRoutes } from './pages/overview';
import { parkedRoutes } from './pages/parked';
import { reconcileRoutes } from './pages/reconcile';
import { shipmentRoutes } from './pages/shipments';
import { unmatchedRoutes } from './pages/unmatched';
import { createSessionStore } from './session';

export { CONSOLE_PATH } from './layout';
export type { ConsoleDeps } from './context';

/**
 * Scripts and styles from this origin only, no inline script, no framing, no form posting
 * elsewhere: an injected tag could neither run nor send data away.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** The ops console, to be mounted at /console; it signs in with ADMIN_TOKEN. */
export function opsConsole(deps: ConsoleDeps): Router {
  const store = createSessionStore(deps.sessionRedis, deps.config.QUEUE_PREFIX);
  const router = Router();
  router.use((_req, res, next) => {
    res.set({
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    next();
  });
  router.use(assetRoutes());
  // The only forms are a token, an order id and buttons: 16 kB is far more than any needs.
  router.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }));
  router.use(requireSameOrigin(deps.log));
  router.use(loginRoutes(deps, store));
  router.use(requireSession(store), requireCsrf(deps.log));
  router.use(logoutRoutes(deps, store));
  router.use(overviewRoutes(deps));
  router.use(shipmentRoutes(deps));
  router.use(unmatchedRoutes(deps));
  router.use(failedRoutes(deps));
  router.use(parkedRoutes(deps));
  router.use(destinationRoutes(deps));
  router.use(reconcileRoutes(deps));
  router.use((_req, res) => {
    refuse(res, 404, 'Not found', 'There is no such console page.');
  });
  const onError: ErrorRequestHandler = (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      refuse(res, status, 'Bad request', 'The console could not read that request.');
      return;
    }
    deps.log.error({ err, method: req.method, path: req.path }, 'console request failed');
    refuse(res, 500, 'Something failed', 'The worker could not answer; its log says why.');
  };
  router.use(onError);
  return router;
}
