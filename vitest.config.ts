import { defineConfig } from 'vitest/config'

// Node suites only; browser suites live in vitest.browser.config.ts so that `npm run test:unit`
// never needs a Chromium.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
    ],
  },
})
