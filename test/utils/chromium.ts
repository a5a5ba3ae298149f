/** Launches Debian's Chromium through Playwright with the flags this machine needs. */
import { type Browser, chromium } from 'playwright'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromiumArgs.js'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
}
