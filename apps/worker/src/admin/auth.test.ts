import { describe, expect, it } from 'vitest';
import { readCredentials } from './auth';

const basic = (userAndPassword: string) =>
  `Basic ${Buffer.from(userAndPassword, 'utf8').toString('base64')}`;

describe('readCredentials', () => {
  it('reads a bearer token, whatever the case of the scheme', () => {
    expect(readCredentials('Bearer abc')).toEqual({ scheme: 'bearer', token: 'abc' });
    expect(readCredentials('  bearer   abc  ')).toEqual({ scheme: 'bearer', token: 'abc' });
  });

  it('reads the Basic password, with any user name and colons in the password', () => {
    expect(readCredentials(basic('ops:a:b:c'))).toEqual({ scheme: 'basic', token: 'a:b:c' });
    expect(readCredentials(basic(':tök€n'))).toEqual({ scheme: 'basic', token: 'tök€n' });
  });

  it('presents nothing for a missing, empty or unknown form', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer   ',
      'abc',
      'Digest abc',
      basic('no-colon'),
    ]) {
      expect(readCredentials(header)).toBeNull();
    }
  });

  it('stays fast on a long header of spaces', () => {
    const started = performance.now();
    readCredentials(`Bearer x${' '.repeat(15_000)}y`);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
