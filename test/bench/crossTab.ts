/** Issue-3 numbers in real Chromium: sign-out propagation, time to a known session, refreshes per window. */
import type { Page } from 'playwright'
import { startTokenServer } from '../kit/tokenServer.js'
import { eventually, openTab, startPageServer, statusOf, tokenOf } from '../multipage/multipageHarness.js'
import { launchChromium } from '../utils/chromium.js'
import { median, percentile } from './measure.js'

export interface CrossTabResult {
  signOutPropagationMs: { median: number; p95: number; runs: number }
  timeToKnownSessionMs: { webStorage: number; indexedDb: number }
  /** Refresh calls per token window: calls over distinct refresh tokens presented. */
  refreshCallsPerWindow: number
  refreshCalls: number
  reuseDetections: number
}

type H = {
  harness: {
    client: { signIn(p: unknown): Promise<unknown>; signOut(): Promise<void>; ready(): Promise<void> }
    signedOutAt: number | null
    knownAfterMs: number | null
  }
}

export async function crossTabBench(): Promise<CrossTabResult> {
  const browser = await launchChromium()
  const pages = await startPageServer()
  const tokens = await startTokenServer({ accessTokenTtl: 600 })
  try {
    const context = await browser.newContext()
    const tabs: Page[] = []
    for (let i = 0; i < 6; i++) tabs.push(await openTab(context, pages.url, { server: tokens.url }))
    const first = tabs[0] as Page
    const last = tabs[5] as Page

    // Sign-out propagation: from the call in one tab to the last of six tabs reaching signedOut.
    const propagation: number[] = []
    for (let run = 0; run < 15; run++) {
      await first.evaluate(() =>
        (window as unknown as H).harness.client.signIn({ sub: 'ada' }).then(() => undefined),
      )
      await eventually(async () => (await Promise.all(tabs.map(statusOf))).every((s) => s === 'active'))
      const started = await last.evaluate(async () => {
        const t0 = Date.now()
        await (window as unknown as H).harness.client.signOut()
        return t0
      })
      await eventually(
        async () => (await Promise.all(tabs.map(statusOf))).every((s) => s === 'signedOut'),
        10_000,
        20,
      )
      const reached = await Promise.all(
        tabs.map((t) => t.evaluate(() => (window as unknown as H).harness.signedOutAt)),
      )
      propagation.push(Math.max(...reached.map((at) => (at ?? started) - started)))
    }

    // Time from construction to a known session, for a tab opened while signed in.
    await first.evaluate(() =>
      (window as unknown as H).harness.client.signIn({ sub: 'ada' }).then(() => undefined),
    )
    const known = async (storage: 'web' | 'idb') => {
      const samples: number[] = []
      for (let i = 0; i < 7; i++) {
        const tab = await openTab(context, pages.url, { server: tokens.url, storage })
        await eventually(
          () => tab.evaluate(() => (window as unknown as H).harness.knownAfterMs !== null),
          5_000,
          10,
        )
        samples.push((await tab.evaluate(() => (window as unknown as H).harness.knownAfterMs)) as number)
        await tab.close()
      }
      return median(samples)
    }
    const webStorage = await known('web')
    // Seed the IndexedDB storage with a session first.
    const seed = await openTab(context, pages.url, { server: tokens.url, storage: 'idb' })
    await seed.evaluate(async () => {
      await (window as unknown as H).harness.client.ready()
      await (window as unknown as H).harness.client.signIn({ sub: 'ada' })
    })
    await seed.waitForTimeout(200)
    await seed.close()
    const indexedDb = await known('idb')

    // Refresh calls per expiry window with six tabs: 2 s tokens refresh every second; count over 8 s.
    tokens.setAccessTokenTtl(2)
    const before = tokens.counters.refreshCalls
    const reuseBefore = tokens.counters.reuseDetections
    await first.evaluate(() =>
      (window as unknown as H).harness.client.signIn({ sub: 'ada' }).then(() => undefined),
    )
    await first.waitForTimeout(8_000)
    // Each token's window ends with one refresh that presents its refresh token; a second refresh
    // in the same window presents it again, which the server counts as reuse.
    const calls = tokens.counters.refreshCalls - before
    const reuse = tokens.counters.reuseDetections - reuseBefore
    await eventually(async () => new Set(await Promise.all(tabs.map(tokenOf))).size === 1, 5_000)
    await context.close()
    return {
      signOutPropagationMs: {
        median: median(propagation),
        p95: percentile(propagation, 95),
        runs: propagation.length,
      },
      timeToKnownSessionMs: { webStorage, indexedDb },
      refreshCallsPerWindow: calls / Math.max(1, calls - reuse),
      refreshCalls: calls,
      reuseDetections: reuse,
    }
  } finally {
    await browser.close()
    await pages.close()
    await tokens.close()
  }
}
