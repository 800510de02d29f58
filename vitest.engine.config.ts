import { defineConfig } from 'vitest/config';

// npm run test:engine: the docker runtime against a real container engine (test/engine/setup.mjs runs first).
export default defineConfig({
  test: {
    include: ['test/engine/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    pool: 'forks',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
