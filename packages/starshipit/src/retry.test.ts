import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-error';
import { backoffMs, withApiRetries } from './retry';

const endpoint = '/api/orders/shipped';
const tooMany = (retryAfterMs?: number) =>
  new ApiError({
    kind: 'http',
    endpoint,
    status: 429,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

/** Fails with the given errors in turn, then answers 'ok'. */
function failing(...errors: Error[]) {
  return vi.fn(() => {
    const error = errors.shift();
    return error === undefined ? Promise.resolve('ok') : Promise.reject(error);
  });
}

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

describe('withApiRetries', () => {
  it('waits exactly Retry-After when the server gives it, even above maxMs', async () => {
    const { waits, sleep } = recordingSleep();
    const fn = failing(tooMany(1000), tooMany(5000));
    await expect(
      withApiRetries(fn, { attempts: 3, baseMs: 100, maxMs: 2000, sleep }),
    ).resolves.toBe('ok');
    expect(waits).toEqual([1000, 5000]);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('backs off exponentially with equal jitter when Retry-After is missing', async () => {
    const { waits, sleep } = recordingSleep();
    const fn = failing(
      tooMany(),
      new ApiError({ kind: 'timeout', endpoint, status: null }),
      new ApiError({ kind: 'http', endpoint, status: 503 }),
      tooMany(),
    );
    const options = { attempts: 5, baseMs: 100, maxMs: 500, sleep, random: () => 1 };
    await withApiRetries(fn, options);
    expect(waits).toEqual([100, 200, 400, 500]);

    const low = recordingSleep();
    await withApiRetries(failing(tooMany(), tooMany(), tooMany()), {
      ...options,
      sleep: low.sleep,
      random: () => 0,
    });
    expect(low.waits).toEqual([50, 100, 200]);
  });

  it('can use full jitter, which may wait almost nothing', async () => {
    const { waits, sleep } = recordingSleep();
    await withApiRetries(failing(tooMany(), tooMany()), {
      attempts: 3,
      baseMs: 100,
      maxMs: 1000,
      jitter: 'full',
      random: () => 0.5,
      sleep,
    });
    expect(waits).toEqual([50, 100]);
  });

  it('rethrows a non-retryable ApiError at once', async () => {
    const { waits, sleep } = recordingSleep();
    const denied = new ApiError({ kind: 'http', endpoint, status: 401 });
    const fn = failing(denied);
    await expect(withApiRetries(fn, { attempts: 5, baseMs: 10, maxMs: 10, sleep })).rejects.toBe(
      denied,
    );
    expect(fn).toHaveBeenCalledTimes(1);
    expect(waits).toEqual([]);
  });

  it('rethrows errors that are not ApiErrors at once', async () => {
    const bug = new TypeError('boom');
    const fn = failing(bug);
    await expect(withApiRetries(fn, { attempts: 5, baseMs: 10, maxMs: 10 })).rejects.toBe(bug);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('gives up after the last attempt with the last error, without a final wait', async () => {
    const { waits, sleep } = recordingSleep();
    const last = tooMany(300);
    const fn = failing(tooMany(100), tooMany(200), last);
    await expect(withApiRetries(fn, { attempts: 3, baseMs: 10, maxMs: 10, sleep })).rejects.toBe(
      last,
    );
    expect(waits).toEqual([100, 200]);
  });

  it('reports each retry before waiting', async () => {
    const onRetry = vi.fn();
    const { sleep } = recordingSleep();
    const error = tooMany(700);
    await withApiRetries(failing(error), { attempts: 2, baseMs: 10, maxMs: 10, sleep, onRetry });
    expect(onRetry).toHaveBeenCalledWith({ error, attempt: 1, delayMs: 700 });
  });

  it('refuses nonsense options', async () => {
    const fn = failing();
    await expect(withApiRetries(fn, { attempts: 0, baseMs: 10, maxMs: 10 })).rejects.toThrow(
      RangeError,
    );
    await expect(withApiRetries(fn, { attempts: 1, baseMs: 10, maxMs: 5 })).rejects.toThrow(
      RangeError,
    );
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('backoffMs', () => {
  it('never exceeds maxMs, however many attempts', () => {
    expect(backoffMs(40, { baseMs: 1000, maxMs: 30_000, random: () => 1 })).toBe(30_000);
  });
});
