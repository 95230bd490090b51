/**
 * The baseline of the ingress case: a bare Express 5 JSON route on the same path, answering
 * the same bodies with a JSON answer of the same shape, and nothing else (no signature check,
 * no validation, no Redis). Started by the bench as its own pinned process.
 */
import express from 'express';

const port = Number(process.env.PORT ?? '0');
const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/callback', express.json({ type: () => true, limit: 65_536 }), (req, res) => {
  const body = req.body as { tracking_number?: unknown } | undefined;
  const id = typeof body?.tracking_number === 'string' ? body.tracking_number : '';
  res.json({ status: 'accepted', event_id: id });
});

const server = app.listen(port, '127.0.0.1', (err?: Error) => {
  if (err) {
    process.stderr.write(`bare-express: cannot listen: ${err.message}\n`);
    process.exit(1);
  }
});

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  server.closeAllConnections();
});
