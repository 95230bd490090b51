import type { Request, RequestHandler } from 'express';
import type { IngressMetrics } from '../metrics';

/**
 * Counts each answer by route pattern, never by raw path: a scanner probing random URLs must
 * not create a new time series per URL.
 */
export function countRequests(metrics: IngressMetrics): RequestHandler {
  return (req, res, next) => {
    res.once('finish', () => {
      metrics.requests.inc({ route: routeLabel(req), status: String(res.statusCode) });
    });
    next();
  };
}

function routeLabel(req: Request): string {
  const route: unknown = req.route;
  if (typeof route === 'object' && route !== null && 'path' in route) {
    const { path } = route;
    if (typeof path === 'string') return path;
  }
  return 'unmatched';
}
