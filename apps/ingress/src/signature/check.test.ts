import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bodyVariants,
  checkCapturedRequest,
  formatCheckReport,
  parseCapturedHeaders,
} from './check';

const body = Buffer.from('{"order_number":"API-TEST-1001"}');
const secret = 'captured-secret';
const signatureOf = (bytes: Buffer, algorithm = 'sha256', encoding: 'hex' | 'base64' = 'hex') =>
  createHmac(algorithm, secret).update(bytes).digest(encoding);

describe('parseCapturedHeaders', () => {
  it('reads header lines with CRLF endings after a request line', () => {
    const headers = parseCapturedHeaders(
      'POST /callback/ HTTP/1.1\r\nHost: example.test\r\nX-Starshipit-Signature: abc123\r\n' +
        'Content-Type: application/json\r\n\r\n{"ignored":"body"}',
    );
    expect(headers.get('x-starshipit-signature')).toBe('abc123');
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.has('{"ignored"')).toBe(false);
  });

  it('reads lower-case names without a request line', () => {
    const headers = parseCapturedHeaders(
      'x-starshipit-signature:  sha256=abc \nexpect: 100-continue\n',
    );
    expect(headers.get('x-starshipit-signature')).toBe('sha256=abc');
  });

  it('keeps a value that contains colons and joins folded lines', () => {
    const headers = parseCapturedHeaders('Date: Tue, 18 Jun 2026 09:35:00 GMT\nX-Long: a\n  b\n');
    expect(headers.get('date')).toBe('Tue, 18 Jun 2026 09:35:00 GMT');
    expect(headers.get('x-long')).toBe('a b');
  });

  it('skips leading blank lines and lines without a name', () => {
    const headers = parseCapturedHeaders('\n\nnot a header\nX-Starshipit-Signature: v\n');
    expect([...headers.keys()]).toEqual(['x-starshipit-signature']);
  });
});

describe('bodyVariants', () => {
  it('adds a variant without the trailing newline an editor may have added', () => {
    const variants = bodyVariants(Buffer.concat([body, Buffer.from('\r\n')]));
    expect(variants.map((variant) => variant.bytes.toString())).toEqual([
      `${body.toString()}\r\n`,
      body.toString(),
    ]);
  });

  it('offers only the captured body when it does not end in a newline', () => {
    expect(bodyVariants(body)).toHaveLength(1);
  });
});

describe('checkCapturedRequest', () => {
  it("reports a match of tracksync's default scheme", () => {
    const report = checkCapturedRequest({ signature: signatureOf(body), body, secrets: [secret] });
    expect(report.matches.map((match) => match.scheme.id)).toEqual(['hmac-sha256']);
    const text = formatCheckReport(report);
    expect(text).toContain('MATCH hmac-sha256');
    expect(text).toContain("tracksync's default scheme");
    expect(text).not.toContain(secret);
  });

  it('reports another scheme and says the verifier does not use it yet', () => {
    const signature = `sha1=${signatureOf(body, 'sha1', 'base64')}`;
    const report = checkCapturedRequest({ signature, body, secrets: ['wrong', secret] });
    expect(report.matches).toHaveLength(1);
    const text = formatCheckReport(report);
    expect(text).toContain('MATCH hmac-sha1');
    expect(text).toContain('signature base64, prefix "sha1=", secret 2 of 2');
    expect(text).toContain('get 401');
  });

  it('notices when only the body without a trailing newline matches', () => {
    const captured = Buffer.concat([body, Buffer.from('\n')]);
    const report = checkCapturedRequest({
      signature: signatureOf(body),
      body: captured,
      secrets: [secret],
    });
    expect(formatCheckReport(report)).toContain('the capture added a newline');
  });

  it('says so when no candidate matches', () => {
    const report = checkCapturedRequest({
      signature: signatureOf(body),
      body,
      secrets: ['not-it'],
    });
    expect(report.matches).toEqual([]);
    expect(formatCheckReport(report)).toContain('no candidate scheme matches');
  });
});
