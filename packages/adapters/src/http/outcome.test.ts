import { describe, expect, it } from 'vitest';
import { outcomeForAnswer, outcomeForFailure } from './outcome';
import { toSafeLine } from './response-body';

const now = new Date('2026-03-04T09:00:00.000Z');
const answer = (status: number, retryAfter: string | null = null, snippet = '') => ({
  status,
  retryAfter,
  snippet,
});

describe('outcomeForAnswer', () => {
  it.each([200, 201, 202, 204, 299])('counts %i as applied', (status) => {
    expect(outcomeForAnswer(answer(status), now)).toEqual({ kind: 'applied', httpStatus: status });
  });

  it('counts 409 as already applied and 404 as order not found', () => {
    expect(outcomeForAnswer(answer(409), now).kind).toBe('already_applied');
    expect(outcomeForAnswer(answer(404), now).kind).toBe('not_found');
  });

  it.each([408, 429, 500, 502, 503, 504, 599])('asks to retry on %i', (status) => {
    expect(outcomeForAnswer(answer(status), now)).toEqual({
      kind: 'retry',
      reason: `HTTP ${status}`,
      httpStatus: status,
    });
  });

  it('honours Retry-After on a retry and ignores it otherwise', () => {
    expect(outcomeForAnswer(answer(429, '3'), now)).toMatchObject({ retryAfterMs: 3000 });
    expect(outcomeForAnswer(answer(400, '3'), now)).not.toHaveProperty('retryAfterMs');
  });

  it.each([400, 401, 403, 405, 410, 413, 422, 301, 302, 307])('fails %i permanently', (status) => {
    expect(outcomeForAnswer(answer(status, null, 'bad field'), now)).toEqual({
      kind: 'permanent',
      reason: `HTTP ${status}: bad field`,
      httpStatus: status,
    });
  });
});

describe('outcomeForFailure', () => {
  it('names a timeout', () => {
    const error = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(outcomeForFailure(error)).toEqual({ kind: 'retry', reason: 'timeout' });
  });

  it('names the socket error behind a failed fetch', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
    });
    const error = new TypeError('fetch failed', { cause });
    expect(outcomeForFailure(error)).toEqual({
      kind: 'retry',
      reason: 'network error: ECONNREFUSED',
    });
  });

  it('falls back to the message when there is no code', () => {
    expect(outcomeForFailure(new TypeError('fetch failed'))).toEqual({
      kind: 'retry',
      reason: 'network error: fetch failed',
    });
  });
});

describe('toSafeLine', () => {
  it('puts a multi-line body on one line and escapes control characters', () => {
    expect(toSafeLine('{\n  "error": "bad"\n}\u0007')).toBe('{ "error": "bad" }\\u0007');
  });

  it('truncates long bodies', () => {
    const line = toSafeLine('x'.repeat(5000));
    expect(line).toHaveLength(201);
    expect(line.endsWith('…')).toBe(true);
  });
});
