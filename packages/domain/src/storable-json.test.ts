import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findUnstorableJson, MAX_JSON_DEPTH } from './storable-json';
import { parseTrackingPayload } from './tracking-event';

const VALID = {
  order_number: 'SO-1',
  tracking_number: 'TRK-1',
  tracking_status: 'Dispatched',
  last_updated_date: '2026-06-18T09:35:00Z',
};

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < levels; level += 1) value = level % 2 ? [value] : { a: value };
  return value;
}

describe('findUnstorableJson', () => {
  it('passes any JSON value with ordinary text, well within the depth limit', () => {
    const text = fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\u0000'));
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(text, tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => findUnstorableJson(value) === null),
      { numRuns: 300 },
    );
  });

  it('accepts nesting up to the limit and names the path where it goes deeper', () => {
    expect(findUnstorableJson(nested(MAX_JSON_DEPTH))).toBeNull();
    const issue = findUnstorableJson({ metadata: nested(MAX_JSON_DEPTH) });
    expect(issue?.message).toBe(`must not nest deeper than ${MAX_JSON_DEPTH}`);
    // The container at depth MAX_JSON_DEPTH is named, one path segment per level.
    expect(issue?.path.split('.')).toHaveLength(MAX_JSON_DEPTH);
    expect(issue?.path).toMatch(/^metadata\.0\.a\./);
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(findUnstorableJson(deep)).toMatchObject({ path: '0'.repeat(32).split('').join('.') });
  });

  it.each([
    ['a NUL in a value', { ...VALID, order_number: 'SO\u0000-1' }, 'order_number'],
    ['a NUL in a key', { ...VALID, 'x\u0000': 1 }, 'x\u0000'],
    ['a lone high surrogate', { ...VALID, extra: ['ok', '\ud800'] }, 'extra.1'],
    ['a lone low surrogate', { ...VALID, tracking_number: 'T\udc00' }, 'tracking_number'],
  ])('names the path of %s', (_case, value, path) => {
    expect(findUnstorableJson(value)).toEqual({
      path,
      message: 'must not contain NUL characters or unpaired UTF-16 surrogates',
    });
  });

  it('keeps emoji, RTL text, combining marks and SQL metacharacters', () => {
    const text = '👩🏽‍🚀 שלום e\u0301 \'; DROP TABLE shipments; -- \\ % _ "';
    expect(findUnstorableJson({ ...VALID, order_number: text, [text]: text })).toBeNull();
  });
});

describe('parseTrackingPayload with input it could not store', () => {
  it('rejects a NUL in any field, known or extra, instead of passing it to the worker', () => {
    for (const payload of [
      { ...VALID, order_number: 'SO\u0000' },
      { ...VALID, metadata: [{ note: '\u0000' }] },
    ]) {
      const result = parseTrackingPayload(payload, 'UTC');
      expect(result.ok).toBe(false);
    }
  });

  it('rejects an extra field nested deeper than the limit', () => {
    const result = parseTrackingPayload({ ...VALID, metadata: nested(100) }, 'UTC');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toMatch(/^metadata\./);
  });

  it('still reports a wrong shape first, with its own issues', () => {
    const result = parseTrackingPayload({ order_number: '\u0000' }, 'UTC');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((issue) => issue.path)).toContain('tracking_number');
  });
});
