// Six tabs of one app in one Chromium profile, against a token server that rotates refresh
// tokens and revokes the whole family on reuse, as real providers do.
import type { Browser, BrowserContext, Page } from 'playwright'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTokenServer, type TokenServer } from '../kit/tokenServer.js'
import { launchChromium } from '../utils/chromium.js'
import {
  eventually,
  openTab,
  type PageServer,
  startPageServer,
  statusOf,
  tokenOf,
} from './multipageHarness.js'

const TABS = 6
const TTL = 4 // seconds; with refreshSkewSeconds 2 each token refreshes 2 s after it was issued

type Harness = {
  harness: {
    client: {
      signIn(p: unknown): Promise<unknown>
      signOut(): Promise<void>
      getAccessToken(): Promise<string | null>
    }
    refreshing: boolean
    freezeRefresh: boolean
    initialStatus: string
    initialSubject: string | null
    clockOffset: { ms: number }
  }
}

describe('cross-tab sessions in Chromium', () => {
  let browser: Browser
  let pages: PageServer
  let tokens: TokenServer
  let context: BrowserContext
  beforeAll(async () => {
    browser = await launchChromium()
    pages = await startPageServer()
  })
  afterAll(async () => {
    await browser?.close()
    await pages?.close()
  })
  beforeEach(async () => {
    tokens = await startTokenServer({ accessTokenTtl: TTL })
  })
  afterEach(async () => {
    await context?.close()
    await tokens?.close()
  })

  const openTabs = async (count: number, init?: string) => {
    context = await browser.newContext()
    if (init) await context.addInitScript(init)
    const tabs: Page[] = []
    for (let i = 0; i < count; i++) tabs.push(await openTab(context, pages.url, { server: tokens.url }))
    return tabs
  }
  const signIn = (page: Page) =>
    page.evaluate(() =>
      (window as unknown as Harness).harness.client.signIn({ sub: 'ada' }).then(() => undefined),
    )

  const allActiveWithOneToken = async (tabs: Page[]) => {
    const seen = await Promise.all(tabs.map(async (t) => [await statusOf(t), await tokenOf(t)] as const))
    return seen.every(([s]) => s === 'active') && new Set(seen.map(([, token]) => token)).size === 1
  }

  /** Signs in, lets the first expiry window pass, and checks every tab moved to one new token on one call. */
  const expectOneRefreshForTheWindow = async (tabs: Page[]) => {
    await signIn(tabs[0] as Page)
    await eventually(() => allActiveWithOneToken(tabs))
    const before = await tokenOf(tabs[0] as Page)
    await eventually(() => tokens.counters.refreshCalls >= 1, 10_000)
    await eventually(
      async () => (await allActiveWithOneToken(tabs)) && (await tokenOf(tabs[0] as Page)) !== before,
    )
    expect(tokens.counters.refreshCalls).toBe(1)
    expect(tokens.counters.reuseDetections).toBe(0)
  }

  it('an expiring session makes exactly one refresh call across six tabs, and a tab opened later knows it at once', async () => {
    const tabs = await openTabs(TABS)
    await expectOneRefreshForTheWindow(tabs)

    const late = await openTab(context, pages.url, { server: tokens.url })
    const first = await late.evaluate(() => {
      const h = (window as unknown as Harness).harness
      return { status: h.initialStatus, subject: h.initialSubject }
    })
    expect(first).toEqual({ status: 'active', subject: 'ada' })
  })

  it('twenty rotations in a row cause no reuse detection, and every tab ends on the same valid token', async () => {
    const tabs = await openTabs(TABS)
    tokens.setAccessTokenTtl(2) // a rotation every second
    await signIn(tabs[0] as Page)
    await eventually(() => tokens.counters.refreshCalls >= 20, 60_000, 200)
    await eventually(() => allActiveWithOneToken(tabs))
    expect(tokens.counters.reuseDetections).toBe(0)
    const token = await tokenOf(tabs[3] as Page)
    const api = await fetch(`${tokens.url}/api`, { headers: { authorization: `Bearer ${token}` } })
    expect(api.status).toBe(200)
  })

  it('sign-out in one tab brings every tab to signedOut', async () => {
    const tabs = await openTabs(TABS)
    await signIn(tabs[0] as Page)
    await eventually(() => allActiveWithOneToken(tabs))
    await (tabs[4] as Page).evaluate(() => (window as unknown as Harness).harness.client.signOut())
    await eventually(async () => (await Promise.all(tabs.map(statusOf))).every((s) => s === 'signedOut'))
  })

  it('closing the tab that holds the lock mid-refresh does not stall the others past the lock timeout', async () => {
    const tabs = await openTabs(TABS)
    await signIn(tabs[0] as Page)
    await eventually(() => allActiveWithOneToken(tabs))
    const before = await tokenOf(tabs[0] as Page)
    for (const tab of tabs)
      await tab.evaluate(() => ((window as unknown as Harness).harness.freezeRefresh = true))
    // Whichever tab wins the lock freezes in the middle of its refresh.
    let holder: Page | undefined
    await eventually(async () => {
      for (const tab of tabs) {
        if (await tab.evaluate(() => (window as unknown as Harness).harness.refreshing)) holder = tab
      }
      return holder !== undefined
    }, 10_000)
    for (const tab of tabs) {
      if (tab !== holder)
        await tab.evaluate(() => ((window as unknown as Harness).harness.freezeRefresh = false))
    }
    const started = Date.now()
    await holder?.close()
    const rest = tabs.filter((t) => t !== holder)
    await eventually(
      async () => (await allActiveWithOneToken(rest)) && (await tokenOf(rest[0] as Page)) !== before,
      12_000,
    )
    expect(Date.now() - started).toBeLessThan(10_000 + 2_000) // within the lock timeout, with margin
    expect(tokens.counters.reuseDetections).toBe(0)
  })

  it('without Web Locks the IndexedDB lease still holds the count to one refresh per window', async () => {
    const tabs = await openTabs(
      TABS,
      "Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined })",
    )
    expect(await (tabs[0] as Page).evaluate(() => navigator.locks)).toBeUndefined()
    await expectOneRefreshForTheWindow(tabs)
  })

  it('a tab that slept refreshes when the network comes back, before it hands out a token', async () => {
    const [tab] = await openTabs(1)
    tokens.setAccessTokenTtl(600)
    await signIn(tab as Page)
    const before = await tokenOf(tab as Page)
    // The laptop slept 20 minutes: the clock jumped (for the server too) and no timer fired.
    tokens.setClockOffset(20 * 60_000)
    await (tab as Page).evaluate(() => {
      ;(window as unknown as Harness).harness.clockOffset.ms = 20 * 60_000
    })
    expect(await tokenOf(tab as Page)).toBeNull() // a read never hands out the expired token
    await (tab as Page).evaluate(() => window.dispatchEvent(new Event('online')))
    await eventually(
      async () => (await statusOf(tab as Page)) === 'active' && tokens.counters.refreshCalls === 1,
    )
    const after = await (tab as Page).evaluate(() =>
      (window as unknown as Harness).harness.client.getAccessToken(),
    )
    expect(after).not.toBe(before)
    expect(tokens.counters.refreshCalls).toBe(1)
  })
})
