import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Several tests start child processes or a browser; their cold start, not Keel, sets this bound.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
