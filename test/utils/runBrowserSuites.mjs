// `npm run test:browser`: runs every browser suite in a real Chromium, or says loudly why not.
// CHROME_PATH or /usr/bin/chromium; TESSERA_REQUIRE_BROWSER=1 turns a missing browser into a failure.
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync } from 'node:fs'

const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean)
const chrome = candidates.find((path) => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
})

if (!chrome) {
  const banner = [
    '',
    '################################################################################',
    '#  BROWSER SUITES SKIPPED: no Chromium found (CHROME_PATH, /usr/bin/chromium).',
    '#  IndexedDB, WebCrypto keys, cookies and cross-tab behaviour were NOT tested.',
    '#  Install it (Debian: apt-get install chromium) or set CHROME_PATH.',
    '################################################################################',
    '',
  ].join('\n')
  if (process.env.TESSERA_REQUIRE_BROWSER === '1') {
    console.error(`${banner}TESSERA_REQUIRE_BROWSER=1: failing.\n`)
    process.exit(1)
  }
  console.warn(banner)
  process.exit(0)
}

const env = { ...process.env, CHROME_PATH: chrome }
// Each suite: a vitest config. Single-page suites run inside the browser (vitest browser mode);
// multi-page suites drive several pages from Node with Playwright.
const suites = [
  ['vitest.browser.config.ts', 'single page (vitest browser mode)'],
  ['test/e2e/vitest.config.ts', 'multi-page and end-to-end through the demo (Playwright, several tabs)'],
]
let failed = false
for (const [config, label] of suites) {
  if (!existsSync(config)) continue
  console.log(`\n=== browser suite: ${label} (${config}) with ${chrome}`)
  const result = spawnSync('npx', ['vitest', 'run', '--config', config], { stdio: 'inherit', env })
  if (result.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
