/** The start-up every demo e2e suite shares: the demo on a loopback port and one Chromium, per file. */
import type { Browser } from 'playwright'
import { afterAll, beforeAll } from 'vitest'
import { type RunningDemo, startDemo } from '../../docs/demo/startDemo.js'
import { launchChromium } from '../utils/chromium.js'

/** What {@link demoInChromium} keeps: the running demo and the browser. */
export interface DemoInChromium {
  readonly demo: RunningDemo
  readonly browser: Browser
}

/**
 * Registers beforeAll (start the demo, then launch Chromium) and afterAll (close the browser, then
 * the demo) in the calling describe block. Read `demo` and `browser` inside hooks and tests.
 *
 * @example
 * ```ts
 * describe('the demo', () => {
 *   const suite = demoInChromium({ accessTokenTtl: 4 })
 *   it('loads', async () => {
 *     const page = await suite.browser.newPage()
 *     await page.goto(suite.demo.url)
 *   })
 * })
 * ```
 */
export function demoInChromium(options: { accessTokenTtl?: number } = {}): DemoInChromium {
  let demo: RunningDemo | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    demo = await startDemo({ port: 0, ...options })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await demo?.close()
  })
  return {
    get demo() {
      if (!demo) throw new Error('demoInChromium: the demo is only there inside hooks and tests')
      return demo
    },
    get browser() {
      if (!browser) throw new Error('demoInChromium: the browser is only there inside hooks and tests')
      return browser
    },
  }
}
