import { createQueues, closeQueues, createProducerConnection, type Queues } from '@tracksync/queue';
import { deleteQueuePrefix, testRedisUrl, uniqueQueuePrefix } from '@tracksync/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../ingress-harness';
import { startIngressProcess, type IngressProcess } from '../ingress-process';
import {
  msUntilClosed,
  openConnection,
  rawExchange,
  statusOf,
  trickle,
  type RawConnection,
} from '../raw-http';

const SECRET = 'connections-webhook-secret';
const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 3_000;
/** Node checks timeouts on a timer; on a busy two-core machine allow generous slack on top. */
const SLACK_MS = 4_000;
const IDLE_CONNECTIONS = 1_000;

const VALID = JSON.stringify({
  order_number: 'SO-CONN-1',
  tracking_number: 'TESTCONN0001',
  tracking_status: 'Dispatched',
  last_updated_date: '2026-06-18T09:35:00Z',
});

async function jobCount(queues: Queues): Promise<number> {
  const counts = await Promise.all(Object.values(queues).map((queue) => queue.getJobCounts()));
  return counts.flatMap((count) => Object.values(count)).reduce((sum, n) => sum + n, 0);
}

describe('the ingress process facing hostile connections', () => {
  const redisUrl = testRedisUrl();
  const prefix = uniqueQueuePrefix();
  const redis = createProducerConnection(redisUrl);
  const queues = createQueues({ connection: redis, prefix, onError: () => undefined });
  let ingress: IngressProcess;
  const opened: RawConnection[] = [];

  beforeAll(async () => {
    ingress = await startIngressProcess({
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      STARSHIPIT_WEBHOOK_SECRET: SECRET,
      HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    for (const connection of opened) connection.socket.destroy();
    const code = await ingress.stop();
    await closeQueues(queues);
    redis.disconnect();
    await deleteQueuePrefix(redisUrl, prefix);
    expect(code).toBe(0);
  });

  const open = async () => {
    const connection = await openConnection(ingress.port);
    opened.push(connection);
    return connection;
  };

  const expectStillServing = async () => {
    expect(ingress.alive()).toBe(true);
    expect((await fetch(`${ingress.url}/healthz`)).status).toBe(200);
  };

  it('answers 431 to a 100 KB header and goes on serving', async () => {
    const { status, text } = await rawExchange(
      ingress.port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(status).toBe(431);
    expect(text).not.toMatch(/x-powered-by|^server:/im);
    await expectStillServing();
  });

  it('closes a connection that never sends a byte within the headers timeout', async () => {
    const connection = await open();
    const ms = await msUntilClosed(connection, HEADERS_TIMEOUT_MS + SLACK_MS);
    expect(ms).not.toBeNull();
    await expectStillServing();
  });

  it('cuts off headers trickled byte by byte (slowloris) with 408 within the headers timeout', async () => {
    const connection = await open();
    const started = performance.now();
    const endless = `POST /callback/ HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(10_000)}`;
    const sent = await trickle(connection, endless, 50);
    const ms = await msUntilClosed(connection, SLACK_MS, started);
    expect(sent).toBeLessThan(endless.length);
    expect(ms).not.toBeNull();
    expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    expect(statusOf(connection.received())).toBe(408);
    await expectStillServing();
  });

  it('cuts off a body trickled byte by byte within the request timeout and enqueues nothing', async () => {
    const before = await jobCount(queues);
    const connection = await open();
    const started = performance.now();
    connection.socket.write(
      'POST /callback/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `X-Starshipit-Signature: ${sign(VALID, SECRET)}\r\nContent-Length: ${VALID.length}\r\n\r\n`,
    );
    const sent = await trickle(connection, VALID, 100);
    const ms = await msUntilClosed(connection, SLACK_MS, started);
    expect(sent).toBeLessThan(VALID.length);
    expect(ms).not.toBeNull();
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(statusOf(connection.received())).toBe(408);
    expect(await jobCount(queues)).toBe(before);
    await expectStillServing();
  });

  it(`serves webhooks while ${IDLE_CONNECTIONS} idle connections are open, then closes them all`, async () => {
    const started = performance.now();
    const idle: RawConnection[] = [];
    for (let batch = 0; batch < IDLE_CONNECTIONS / 100; batch += 1) {
      idle.push(...(await Promise.all(Array.from({ length: 100 }, open))));
    }
    expect(idle.filter((connection) => connection.isClosed())).toHaveLength(0);

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        fetch(`${ingress.url}/callback/`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-starshipit-signature': sign(VALID, index % 2 ? SECRET : 'wrong'),
          },
          body: VALID,
        }).then((response) => response.status),
      ),
    );
    expect(answers.filter((status) => status === 200)).toHaveLength(10);
    expect(answers.filter((status) => status === 401)).toHaveLength(10);

    await Promise.all(
      idle.map((connection) => msUntilClosed(connection, HEADERS_TIMEOUT_MS + SLACK_MS)),
    );
    const stillOpen = idle.filter((connection) => !connection.isClosed()).length;
    process.stdout.write(
      `connections: ${IDLE_CONNECTIONS} idle sockets opened, all closed by the server after ${Math.round(performance.now() - started)} ms, ${stillOpen} still open\n`,
    );
    expect(stillOpen).toBe(0);
    await expectStillServing();
  });

  it(`answers ${IDLE_CONNECTIONS} requests sent at once, each with a 4xx, and stays up`, async () => {
    const connections: RawConnection[] = [];
    for (let batch = 0; batch < IDLE_CONNECTIONS / 100; batch += 1) {
      connections.push(...(await Promise.all(Array.from({ length: 100 }, open))));
    }
    const body = '{"unsigned":true}';
    for (const connection of connections) {
      connection.socket.write(
        `POST /callback/ HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    await Promise.all(connections.map((connection) => msUntilClosed(connection, 20_000)));
    const statuses = connections.map((connection) => statusOf(connection.received()));
    expect(statuses.filter((status) => status === 401)).toHaveLength(IDLE_CONNECTIONS);
    await expectStillServing();
  });
});
