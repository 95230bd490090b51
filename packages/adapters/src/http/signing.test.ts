import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createSigner, signingSecretProblem } from './signing';

const secret = `whsec_${randomBytes(24).toString('base64')}`;

describe('createSigner', () => {
  it('produces headers that standardwebhooks verifies', () => {
    const at = new Date();
    const body = '{"type":"shipment.tracking_updated"}';
    const headers = createSigner(secret)('dlv_1', at, body);
    expect(headers['webhook-id']).toBe('dlv_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(() => new Webhook(secret).verify(body, { ...headers })).not.toThrow();
  });

  it.each([
    ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'does not start with whsec_'],
    ['whsec_', 'is shorter than 16 bytes'],
    ['whsec_not base64!', 'is not valid base64 after whsec_'],
    ['whsec_abc', 'is not valid base64 after whsec_'],
    ['whsec_c2hvcnQ=', 'is shorter than 16 bytes'],
  ])('rejects %j at creation: it %s', (bad, problem) => {
    expect(signingSecretProblem(bad)).toBe(problem);
    expect(() => createSigner(bad)).toThrow(`invalid signing secret: it ${problem}`);
  });

  it('never echoes the secret in its error', () => {
    const almost = `whsec_${randomBytes(24).toString('base64')}!`;
    expect(() => createSigner(almost)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(almost.slice(6)) as string }),
    );
  });
});
