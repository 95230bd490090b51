import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: the long profiles (several minutes) of the suites that drive real
 * processes through faults and hostile input. The chaos suite brings its own Postgres cluster
 * and Redis server; the ingress fuzzing and sustained RSS runs use the shared ones.
 */
export default defineConfig({
  test: {
    include: [
      'test/chaos/**/*.test.ts',
      'apps/ingress/test/hostile/fuzz-bodies.int.test.ts',
      'apps/ingress/test/hostile/sustained-rss.int.test.ts',
    ],
    globalSetup: ['./packages/test-support/src/global-setup.ts'],
    env: { CHAOS_PROFILE: 'long' },
    testTimeout: 600_000,
    hookTimeout: 120_000,
    // One at a time: each measures a process under load and needs the cores for it.
    fileParallelism: false,
  },
});
