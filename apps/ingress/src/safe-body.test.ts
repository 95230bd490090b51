import { describe, expect, it } from 'vitest';
import { SAFE_BODY_LIMIT, safeBody } from './safe-body';

describe('safeBody', () => {
  it('keeps a short printable body as it is', () => {
    const raw = Buffer.from('{"order_number":"SO-1","carrier_name":"Australia Post"}');
    expect(safeBody(raw)).toEqual({ text: raw.toString(), bytes: raw.length, truncated: false });
  });

  it('escapes newlines and other control characters so a body cannot forge log lines', () => {
    const raw = Buffer.from('{"a":"x"}\n{"level":50,"msg":"forged"}\r\t\u0000\u001b[31m\u007f');
    expect(safeBody(raw).text).toBe(
      '{"a":"x"}\\n{"level":50,"msg":"forged"}\\r\\t\\u0000\\u001b[31m\\u007f',
    );
  });

  it('escapes bidi overrides and line separators', () => {
    expect(safeBody(Buffer.from('a\u202Eb\u2028c\u2029d\uFEFF')).text).toBe(
      'a\\u202eb\\u2028c\\u2029d\\ufeff',
    );
  });

  it('keeps readable non-ASCII text', () => {
    expect(safeBody(Buffer.from('Zoë → 東京')).text).toBe('Zoë → 東京');
  });

  it('shows bytes that are not UTF-8 as \\xNN', () => {
    expect(safeBody(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])).text).toBe('{\\xff\\xfe}');
  });

  it('truncates a long body to the limit and reports the whole length', () => {
    const raw = Buffer.from('x'.repeat(70_000));
    const result = safeBody(raw);
    expect(result.text).toHaveLength(SAFE_BODY_LIMIT);
    expect(result).toMatchObject({ bytes: 70_000, truncated: true });
  });

  it('never cuts a multi-byte character in half', () => {
    const result = safeBody(Buffer.from('é'.repeat(10)), [], 5);
    expect(result.text).toBe('éé');
    expect(result.truncated).toBe(true);
  });

  it('replaces every configured secret, the longest first', () => {
    const raw = Buffer.from('{"secret":"s3cret-long","again":"s3cret-long","short":"s3cret"}');
    expect(safeBody(raw, ['s3cret', 's3cret-long']).text).toBe(
      '{"secret":"[redacted]","again":"[redacted]","short":"[redacted]"}',
    );
  });

  it('shows no part of a secret that straddles the cut', () => {
    const raw = Buffer.from(`${'a'.repeat(10)}topsecret-value`);
    const result = safeBody(raw, ['topsecret-value'], 14);
    expect(result.text).toBe(`${'a'.repeat(10)}[red`);
  });

  it('reports an empty body as empty', () => {
    expect(safeBody(Buffer.alloc(0))).toEqual({ text: '', bytes: 0, truncated: false });
  });
});
