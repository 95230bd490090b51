import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createRedisErrorLog } from './redis-errors';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { log, lines };
}

describe('createRedisErrorLog', () => {
  it('logs the first error and counts the rest of the interval into the next line', () => {
    const { log, lines } = capturingLogger();
    let clock = 0;
    const onError = createRedisErrorLog(log, 1_000, () => clock);
    for (let i = 0; i < 50; i++) {
      onError(new Error('connect ECONNREFUSED'));
      clock += 10;
    }
    expect(lines).toHaveLength(1);
    clock = 1_000;
    onError(new Error('connect ECONNREFUSED'));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ msg: 'redis unavailable', suppressedSinceLastLine: 49 });
  });
});
