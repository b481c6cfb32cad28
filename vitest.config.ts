import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'functions/**/*.test.ts', 'containers/**/*.test.ts', 'test/**/*.test.ts', 'infra/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: tensor-heavy files in parallel only slow each other down.
    maxWorkers: 2,
    minWorkers: 1,
  },
})
