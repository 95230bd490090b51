import { describe, expect, it } from 'vitest';
import { createDestinationControl, slotShare } from './control';

/** Pause flags and rate windows live in Redis; slots are per process and need none. */
const noRedis = new Proxy({} as Parameters<typeof createDestinationControl>[0]['redis'], {
  get: () => () => Promise.reject(new Error('no Redis in a unit test')),
});

describe('delivery slots per destination', () => {
  it('gives a lone destination every slot, and each of several half (at least one)', () => {
    expect(slotShare(8, 1)).toBe(8);
    expect(slotShare(8, 2)).toBe(4);
    expect(slotShare(8, 5)).toBe(4);
    expect(slotShare(1, 3)).toBe(1);
  });

  it("refuses a destination's slot once it holds its share, and not another's", () => {
    const control = createDestinationControl({
      redis: noRedis,
      prefix: 't',
      slotsPerDestination: 2,
    });
    expect([control.enter('erp'), control.enter('erp'), control.enter('erp')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(control.enter('shop')).toBe(true);
    control.leave('erp');
    expect(control.enter('erp')).toBe(true);
  });
});
