import type { IncomingMessage } from 'node:http';

/**
 * The declared length of a body the webhook route can read itself: uncompressed, sent with a
 * Content-Length within `limit`. Null for everything else — compressed, chunked, declared too
 * large, no body at all — which body-parser reads instead, with its inflating and its answers.
 * Node's parser delivers exactly the declared bytes or ends the request early, so a body read
 * this way can neither exceed the limit nor differ from its declared length unnoticed.
 */
export function plainBodyLength(req: IncomingMessage, limit: number): number | null {
  const { headers } = req;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return null;
  const declared = headers['content-length'];
  if (declared === undefined || headers['transfer-encoding'] !== undefined) return null;
  const length = Number(declared);
  return Number.isSafeInteger(length) && length <= limit ? length : null;
}

/**
 * Reads a body of known length and calls `done` once: with the bytes, or with null when the
 * request ended without all of them (aborted, timed out, reset). Listeners are not removed:
 * they go with the request, which nothing uses after its answer.
 */
export function readPlainBody(
  req: IncomingMessage,
  length: number,
  done: (body: Buffer | null) => void,
): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const settle = (body: Buffer | null) => {
    if (settled) return;
    settled = true;
    done(body);
  };
  req.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  });
  req.once('end', () => {
    if (received !== length) settle(null);
    else settle(chunks.length === 1 ? (chunks[0] ?? null) : Buffer.concat(chunks, received));
  });
  // 'close' before 'end' is a request cut short; 'error' alone, unheard, would crash the process.
  req.once('close', () => {
    settle(null);
  });
  req.once('error', () => {
    settle(null);
  });
}
