import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'

// Browser suites run in Debian's Chromium through Playwright (the npm package downloads no
// browser). test/utils/runBrowserSuites.mjs decides whether a Chromium exists before starting.
const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium'

export default defineConfig({
  test: {
    name: 'browser',
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 20_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
