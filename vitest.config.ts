import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Engine tests are CPU-heavy (TF.js wasm is single-threaded); two forks match the 2-core machines.
    pool: 'forks',
    maxWorkers: 2,
  },
});
