import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { plainBodyLength } from './plain-body';

/** plainBodyLength reads nothing of the request but its headers. */
const request = (headers: IncomingHttpHeaders) => ({ headers }) as unknown as IncomingMessage;

describe('plainBodyLength', () => {
  it('gives the declared length of an uncompressed body within the limit', () => {
    expect(plainBodyLength(request({ 'content-length': '270' }), 65_536)).toBe(270);
    expect(plainBodyLength(request({ 'content-length': '0' }), 65_536)).toBe(0);
    expect(
      plainBodyLength(request({ 'content-length': '10', 'content-encoding': 'Identity' }), 10),
    ).toBe(10);
  });

  it.each<[string, IncomingHttpHeaders]>([
    ['a compressed body', { 'content-length': '10', 'content-encoding': 'gzip' }],
    ['an unknown encoding', { 'content-length': '10', 'content-encoding': 'br2' }],
    ['a body declared over the limit', { 'content-length': '65537' }],
    ['a chunked body', { 'transfer-encoding': 'chunked' }],
    ['no body at all', {}],
  ])('leaves %s to body-parser', (_case, headers) => {
    expect(plainBodyLength(request(headers), 65_536)).toBeNull();
  });
});
