import { describe, expect, it } from 'vitest';
import { ApiError, isRetryableStatus, safeDetail } from './api-error';

const endpoint = '/api/track';

describe('ApiError', () => {
  it.each([408, 429, 500, 502, 503, 504])('is retryable on HTTP %i', (status) => {
    const error = new ApiError({ kind: 'http', endpoint, status });
    expect(error.retryable).toBe(true);
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 422, 302])('is not retryable on HTTP %i', (status) => {
    expect(new ApiError({ kind: 'http', endpoint, status }).retryable).toBe(false);
  });

  it.each(['network', 'timeout'] as const)('is retryable on %s, with no status', (kind) => {
    const error = new ApiError({ kind, endpoint, status: null });
    expect(error).toMatchObject({ retryable: true, status: null, kind });
  });

  it.each(['invalid_response', 'unsuccessful'] as const)(
    'is not retryable on a 200 that is %s',
    (kind) => {
      expect(new ApiError({ kind, endpoint, status: 200 }).retryable).toBe(false);
    },
  );

  it('carries the Retry-After wait, and none when not given', () => {
    expect(new ApiError({ kind: 'http', endpoint, status: 429, retryAfterMs: 1000 })).toMatchObject(
      { retryAfterMs: 1000, retryable: true },
    );
    expect(new ApiError({ kind: 'http', endpoint, status: 429 }).retryAfterMs).toBeUndefined();
  });

  it('names the endpoint and status in its message', () => {
    const error = new ApiError({ kind: 'http', endpoint, status: 503, detail: 'busy' });
    expect(error.message).toBe('starshipit GET /api/track answered HTTP 503: busy');
    expect(error.name).toBe('ApiError');
    expect(error).toBeInstanceOf(Error);
  });
});

describe('safeDetail', () => {
  it('cuts both keys out of server text before truncating it', () => {
    const text = `denied for key api-key-123 and sub-key-456 ${'x'.repeat(500)}`;
    const safe = safeDetail(text, ['api-key-123', 'sub-key-456']);
    expect(safe).not.toContain('api-key-123');
    expect(safe).not.toContain('sub-key-456');
    expect(safe).toContain('[redacted]');
    expect(safe.length).toBeLessThanOrEqual(201);
  });

  it('keeps one line', () => {
    expect(safeDetail('a\n  b\r\nc', [])).toBe('a b c');
  });
});
