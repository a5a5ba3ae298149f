import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Node suites only; browser suites live in vitest.browser.config.ts so that `npm run test:unit`
// never needs a Chromium.
export default defineConfig({
  resolve: {
    // Other SDKs the tests check formats against live in their own package (npm run interop).
    alias: [
      {
        find: /^@toruslabs\/(.*)$/,
        replacement: `${fileURLToPath(new URL('./test/interop/node_modules/@toruslabs/', import.meta.url))}$1`,
      },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/setup/warmLazyModules.ts'],
          testTimeout: 20_000,
        },
      },
    ],
  },
})
