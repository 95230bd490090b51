import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { deliveredUpdate } from '../../test/fixtures/shipment-update';
import { toWireBody } from '../http/transform';
import { createLogAdapter } from './adapter';

function memoryLogger() {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return { log, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogAdapter', () => {
  it('logs the exact body the http adapter would send, on one line, and reports applied', async () => {
    const { log, lines } = memoryLogger();
    const now = new Date('2026-03-04T09:36:00.000Z');
    const adapter = createLogAdapter(log, () => now);

    await expect(adapter.apply(deliveredUpdate)).resolves.toEqual({ kind: 'applied' });

    expect(adapter.name).toBe('log');
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({
      level: 30,
      msg: 'would deliver',
      delivery: JSON.parse(JSON.stringify(toWireBody(deliveredUpdate, now))) as unknown,
    });
  });
});
