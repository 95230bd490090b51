import { deleteQueuePrefix, testRedisUrl, uniqueQueuePrefix } from '@tracksync/test-support';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import {
  postWebhook,
  sign,
  startIngress,
  type PostOptions,
  type RunningIngress,
} from './ingress-harness';

export const OLD_SECRET = 'old-webhook-secret-0001';
export const NEW_SECRET = 'new-webhook-secret-0002';

export { STARSHIPIT_GUIDE_EXAMPLE as GUIDE_EXAMPLE } from '@tracksync/test-support';

export const json = (value: unknown) => JSON.stringify(value);

export interface SignedIngress {
  readonly app: RunningIngress;
  /** Posts signed with the current secret unless another is given. */
  post(body: string | Buffer, options?: PostOptions): Promise<Response>;
  /** Fails when a secret or any signature sent so far appears in the app's log. */
  expectNoSecretsLogged(): void;
}

/**
 * For one test file: an ingress with two secrets configured (a rotation in progress) and a
 * small body limit, on this file's own queue prefix, with empty queues before each test.
 */
export function useSignedIngress(): SignedIngress {
  const redisUrl = testRedisUrl();
  const prefix = uniqueQueuePrefix();
  const sentSignatures: string[] = [];
  let app: RunningIngress | undefined;

  beforeAll(async () => {
    app = await startIngress({
      redisUrl,
      prefix,
      env: { STARSHIPIT_WEBHOOK_SECRET: `${OLD_SECRET},${NEW_SECRET}`, MAX_BODY_BYTES: '2048' },
    });
  });
  beforeEach(async () => {
    await app?.clearQueues();
  });
  afterAll(async () => {
    await app?.close();
    await deleteQueuePrefix(redisUrl, prefix);
  });

  const running = () => {
    if (!app) throw new Error('the ingress starts in beforeAll');
    return app;
  };
  return {
    get app() {
      return running();
    },
    post(body, options = {}) {
      const secret = options.secret ?? NEW_SECRET;
      sentSignatures.push(sign(body, secret), sign(body, secret, 'base64'));
      return postWebhook(running(), body, { ...options, secret });
    },
    expectNoSecretsLogged() {
      const text = running().logText();
      expect(text.length).toBeGreaterThan(0);
      for (const secret of [OLD_SECRET, NEW_SECRET, ...sentSignatures]) {
        expect(text).not.toContain(secret);
      }
    },
  };
}
