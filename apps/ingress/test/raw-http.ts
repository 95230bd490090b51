import { connect, type Socket } from 'node:net';

/** A TCP connection to a local port, collecting whatever the server sends. */
export interface RawConnection {
  readonly socket: Socket;
  /** Everything received so far, as latin1 text. */
  received(): string;
  readonly closed: Promise<void>;
  isClosed(): boolean;
}

export async function openConnection(port: number): Promise<RawConnection> {
  const socket = connect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  let done = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A reset from the server is one way of being cut off; the test looks at `closed`.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      done = true;
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => Buffer.concat(chunks).toString('latin1'),
    closed,
    isClosed: () => done,
  };
}

/** Milliseconds until the server closes the connection, or null when it is still open after `limitMs`. */
export async function msUntilClosed(
  connection: RawConnection,
  limitMs: number,
  since = performance.now(),
): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    connection.closed.then(() => 'closed' as const),
    new Promise<'open'>((resolve) => {
      timer = setTimeout(() => {
        resolve('open');
      }, limitMs);
    }),
  ]);
  clearTimeout(timer);
  return outcome === 'closed' ? performance.now() - since : null;
}

/**
 * Writes `text` one byte per `intervalMs`, as a slowloris client does, until it is all sent
 * or the server has closed the connection. Resolves to the number of bytes written.
 */
export async function trickle(
  connection: RawConnection,
  text: string,
  intervalMs: number,
): Promise<number> {
  let sent = 0;
  while (sent < text.length && !connection.isClosed() && connection.socket.writable) {
    connection.socket.write(text.charAt(sent), 'latin1');
    sent += 1;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return sent;
}

/** The status code of the first response in `text` (`HTTP/1.1 408 …`), or null. */
export function statusOf(text: string): number | null {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match?.[1] ? Number(match[1]) : null;
}

/** Sends one whole request and waits for the server to answer and close (or `limitMs`). */
export async function rawExchange(port: number, request: string, limitMs = 5_000) {
  const connection = await openConnection(port);
  connection.socket.end(request, 'latin1');
  await msUntilClosed(connection, limitMs);
  connection.socket.destroy();
  return { status: statusOf(connection.received()), text: connection.received() };
}
