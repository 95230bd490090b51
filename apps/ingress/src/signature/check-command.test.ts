import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EXIT, runSignatureCheck, type CommandIo } from './check-command';

const body = Buffer.from('{"order_number":"API-TEST-1001","tracking_status":"Dispatched"}');
const secret = 'cli-secret-value';
const signature = createHmac('sha256', secret).update(body).digest('hex');

/** In-memory files, so the command's logic is tested without touching the disk. */
function fakeIo(files: Record<string, string | Buffer>) {
  const output = { out: '', err: '' };
  const io: CommandIo = {
    readFile: (path) => {
      const content = files[path];
      if (content === undefined) {
        return Promise.reject(Object.assign(new Error('missing'), { code: 'ENOENT' }));
      }
      return Promise.resolve(Buffer.isBuffer(content) ? content : Buffer.from(content));
    },
    out: (text) => (output.out += text),
    err: (text) => (output.err += text),
  };
  return { io, output };
}

const files = {
  'headers.txt': `POST /callback/ HTTP/1.1\r\nX-Starshipit-Signature: ${signature}\r\n\r\n`,
  'body.bin': body,
};

describe('runSignatureCheck', () => {
  it('exits 0 and names the scheme when the secret from --secret matches', async () => {
    const { io, output } = fakeIo(files);
    const args = ['--headers', 'headers.txt', '--body', 'body.bin', '--secret', secret];
    expect(await runSignatureCheck(args, {}, io)).toBe(EXIT.match);
    expect(output.out).toContain('MATCH hmac-sha256');
    expect(output.out + output.err).not.toContain(secret);
  });

  it('takes the secrets from STARSHIPIT_WEBHOOK_SECRET when --secret is absent', async () => {
    const { io, output } = fakeIo(files);
    const env = { STARSHIPIT_WEBHOOK_SECRET: `old-one,${secret}` };
    expect(
      await runSignatureCheck(['--headers', 'headers.txt', '--body', 'body.bin'], env, io),
    ).toBe(EXIT.match);
    expect(output.out).toContain('secret 2 of 2');
    expect(output.out).not.toContain('old-one');
  });

  it('accepts the signature value directly with --signature', async () => {
    const { io } = fakeIo(files);
    const args = ['--signature', `sha256=${signature}`, '--body', 'body.bin', '--secret', secret];
    expect(await runSignatureCheck(args, {}, io)).toBe(EXIT.match);
  });

  it('exits 1 when no candidate scheme matches', async () => {
    const { io, output } = fakeIo(files);
    const args = ['--headers', 'headers.txt', '--body', 'body.bin', '--secret', 'wrong'];
    expect(await runSignatureCheck(args, {}, io)).toBe(EXIT.noMatch);
    expect(output.out).toContain('no candidate scheme matches');
  });

  it.each([
    [['--body', 'body.bin', '--secret', secret], '--headers <file>'],
    [['--headers', 'headers.txt', '--secret', secret], '--body <file> is required'],
    [['--headers', 'headers.txt', '--body', 'body.bin'], 'no secret'],
    [['--headers', 'nope.txt', '--body', 'body.bin', '--secret', secret], 'cannot read nope.txt'],
    [['--headers', 'headers.txt', '--body', 'body.bin', '--bogus'], "Unknown option '--bogus'"],
    [['--headers'], "Option '--headers <value>' argument missing"],
  ])('exits 2 with usage for %j', async (args, message) => {
    const { io, output } = fakeIo(files);
    expect(await runSignatureCheck(args, {}, io)).toBe(EXIT.usage);
    expect(output.err).toContain(message);
    expect(output.err).toContain('usage: npm run signature:check');
  });

  it('exits 2 and lists the headers it found when the signature header is missing', async () => {
    const { io, output } = fakeIo({ ...files, 'headers.txt': 'Content-Type: application/json\n' });
    const args = ['--headers', 'headers.txt', '--body', 'body.bin', '--secret', secret];
    expect(await runSignatureCheck(args, {}, io)).toBe(EXIT.usage);
    expect(output.err).toContain('no x-starshipit-signature header (headers found: content-type)');
  });
});
