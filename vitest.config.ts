import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Unit and integration tests sit next to the code in src/ or in a test/ folder beside it
    // (rigs and whole-app suites); test/ at the root holds the whole-system suites.
    include: ['{apps,packages}/*/{src,test}/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['./packages/test-support/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: more forks than that only adds contention to Postgres and Redis.
    maxWorkers: 2,
  },
});
