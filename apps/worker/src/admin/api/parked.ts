import { listParkedPayloads, type Database } from '@tracksync/db';
import { Router } from 'express';
import { z } from 'zod';
import { presentParked } from './present';
import { limitSchema, parseOrReject } from './request';

const parkedQuerySchema = z.strictObject({ limit: limitSchema });

export function parkedRoutes(deps: { readonly db: Database }): Router {
  const router = Router();
  router.get('/parked', async (req, res) => {
    const query = parseOrReject(parkedQuerySchema, req.query, res);
    if (!query) return;
    const parked = await listParkedPayloads(deps.db, query.limit);
    res.json({ parked: parked.map(presentParked) });
  });
  return router;
}
