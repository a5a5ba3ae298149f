import { defineConfig } from 'vitest/config'

// End-to-end: Node starts the demo (OpenID provider, API, page) and drives Debian's Chromium
// through Playwright, with several tabs where a test needs them.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts', 'test/multipage/**/*.test.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
})
