import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{apps,packages}/*/src/**/*.test.ts'],
    globalSetup: ['./packages/test-support/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: more forks than that only adds contention to Postgres and Redis.
    maxWorkers: 2,
  },
});
