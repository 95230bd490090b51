/** Enough to show a validation message; more would flood the failure reason and the logs. */
const SNIPPET_BYTES = 1024;
const SNIPPET_CHARS = 200;

/**
 * Reads at most a few hundred bytes of a response body as a one-line, log-safe excerpt, then
 * cancels the rest. Every response passes through here, so no body is left unread holding a
 * socket; a body that fails mid-read (timeout, reset) yields what arrived.
 */
export async function readSnippet(response: Response): Promise<string> {
  const body = response.body;
  if (!body) return '';
  // Node types the stream as ReadableStream<any>; fetch bodies are bytes.
  const reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // The status already decided the outcome; the excerpt is only decoration.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return toSafeLine(Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8'));
}

/** Collapses whitespace and escapes control characters so a body cannot forge log lines. */
export function toSafeLine(text: string): string {
  const line = text
    .replace(/\s+/g, ' ')
    .replace(/\p{Cc}/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .trim();
  return line.length > SNIPPET_CHARS ? `${line.slice(0, SNIPPET_CHARS)}…` : line;
}
