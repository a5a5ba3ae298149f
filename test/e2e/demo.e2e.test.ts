import type { Browser, BrowserContext, Page } from 'playwright'
import { afterEach, describe, expect, it } from 'vitest'
import { demoInChromium } from './demoInChromium.js'

const status = (page: Page) => page.locator('[data-testid=status]').textContent()

async function waitForStatus(page: Page, expected: string, timeout = 15_000) {
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid=status]')?.textContent === want,
    expected,
    { timeout },
  )
}

/** Clicks "Sign in", logs in on the provider's page like a person, and comes back active. */
async function signIn(page: Page, user = 'ada') {
  await page.click('#sign-in')
  await page.waitForURL(/\/interaction\//, { waitUntil: 'commit' })
  await page.fill('input[name=login]', user)
  await page.fill('input[name=password]', 'correct horse battery staple')
  await page.click('button[type=submit]')
  await waitForStatus(page, 'active')
  await page.waitForURL((url) => url.pathname === '/' && !url.searchParams.has('code'), {
    waitUntil: 'commit',
  })
}

describe('the demo in Chromium', () => {
  const suite = demoInChromium({ accessTokenTtl: 4 })
  let context: BrowserContext
  afterEach(async () => {
    await context?.close()
  })

  /** A context whose pages can reach only this machine (the provider's page asks for web fonts). */
  const newContext = async (options: Parameters<Browser['newContext']>[0] = {}) => {
    const ctx = await suite.browser.newContext(options)
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort())
    return ctx
  }

  it('signs in with a real redirect, survives a reload while pending, and calls the API with DPoP', async () => {
    context = await newContext()
    const page = await context.newPage()
    await page.goto(suite.demo.url)
    await waitForStatus(page, 'signedOut')

    // Leave for the provider, then reload the provider's page: the app tab is gone meanwhile.
    await page.click('#sign-in')
    await page.waitForURL(/\/interaction\//, { waitUntil: 'commit' })
    // Back to the app without finishing: the machine is still waiting for the redirect.
    await page.goto(suite.demo.url)
    await waitForStatus(page, 'oidcRedirectPending')
    await page.reload()
    await waitForStatus(page, 'oidcRedirectPending')

    await signIn(page)
    expect(new URL(page.url()).search).toBe('') // the callback parameters were removed
    const claims = await page.locator('[data-testid=claims]').textContent()
    expect(claims).toContain('ada@example.com')
    expect(claims).toContain('DPoP')

    await page.click('#call-api')
    await page.waitForFunction(() => document.querySelector('#log')?.textContent?.includes('API 200'))
    expect(suite.demo.api.counters.accepted).toBeGreaterThan(0)
    // The token the page holds is useless elsewhere: a plain Bearer call is refused.
    const token = await page.evaluate(
      () =>
        (window as unknown as { tessera: { getSession(): { accessToken: string } } }).tessera.getSession()
          .accessToken,
    )
    const stolen = await fetch(suite.demo.api.url, { headers: { authorization: `Bearer ${token}` } })
    expect(stolen.status).toBe(401)
  })

  it('three tabs live through ten refreshes with no reuse detection, and sign-out reaches them all', async () => {
    context = await newContext()
    const first = await context.newPage()
    await first.goto(suite.demo.url)
    await signIn(first)
    const others = [await context.newPage(), await context.newPage()]
    for (const page of others) {
      await page.goto(suite.demo.url)
      await waitForStatus(page, 'active')
    }
    const start = suite.demo.op.counters.refreshCalls
    const reuseBefore = suite.demo.op.counters.refreshReuseDetections
    // 4 s tokens refresh every ~2 s: wait (bounded) for ten refresh calls at the provider.
    for (let i = 0; i < 200 && suite.demo.op.counters.refreshCalls - start < 10; i++)
      await first.waitForTimeout(250)
    expect(suite.demo.op.counters.refreshCalls - start).toBeGreaterThanOrEqual(10)
    expect(suite.demo.op.counters.refreshReuseDetections - reuseBefore).toBe(0)
    for (const page of [first, ...others]) expect(await status(page)).toMatch(/active|refreshing/)

    await others[1]!.click('#sign-out')
    for (const page of [first, ...others]) await waitForStatus(page, 'signedOut')
  })

  it('shows the statechart with the current state lit (screenshot)', async () => {
    context = await newContext({ viewport: { width: 1200, height: 900 } })
    const page = await context.newPage()
    await page.goto(suite.demo.url)
    await signIn(page)
    const lit = page.locator('[data-testid=statechart] g.current')
    await expect.poll(() => lit.getAttribute('data-state')).toMatch(/active|refreshing/)
    const shot = await page
      .locator('[data-testid=statechart]')
      .screenshot({ path: 'test/e2e/__screenshots__/statechart-active.png' })
    expect(shot.byteLength).toBeGreaterThan(5_000)
    // The lit box is drawn in the highlight colour: sample the pixels under it.
    const box = await lit.locator('rect').boundingBox()
    expect(box).not.toBeNull()
    const fill = await lit.locator('rect').getAttribute('fill')
    expect(fill).toBe('#2563eb')
    expect(await page.locator('[data-testid=statechart] g:not(.current) rect[fill="#2563eb"]').count()).toBe(
      0,
    )
  })
})
