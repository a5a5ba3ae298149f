// The session kit and device access in Chromium, through the demo: several accounts in one
// browser across tabs, and two browser contexts standing for two devices of one account.
import type { Browser, BrowserContext, Page } from 'playwright'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunningDemo } from '../../docs/demo/startDemo.js'
import { createSessionClient, memoryStorage, type SessionClient } from '../../src/index.js'
import { oidc } from '../../src/oidc/index.js'
import { scriptedLogin } from '../utils/scriptedLogin.js'
import { demoInChromium } from './demoInChromium.js'

interface PageSummary {
  id: string
  subject: string
  status: string
  active: boolean
}
interface PageKit {
  tesseraKit: {
    getSessions(): PageSummary[]
    getActive(): PageClient | null
    client(id: string): PageClient | null
  }
}
interface PageClient {
  getStatus(): string
  getSession(): { subject: string } | null
  actor: { getSnapshot(): { context: { record: { generation: number } | null } } }
  onSessionExpired(listener: (e: { reason: string }) => void): () => void
  listAccessPages(options: {
    pageSize: number
  }): AsyncIterable<{ grants: unknown[]; nextCursor: string | null }>
}

/** What a tab's kit lists: `subject:status[*]`, the active one starred (`refreshing` counts as active). */
const listed = (page: Page) =>
  page.evaluate(() =>
    ((window as unknown as Partial<PageKit>).tesseraKit?.getSessions() ?? [])
      .map((s) => `${s.subject}:${s.status === 'refreshing' ? 'active' : s.status}${s.active ? '*' : ''}`)
      .join(' '),
  )

/** Pages whose kit lists are shown when a condition never holds. */
const watched: Page[] = []

async function eventually(check: () => Promise<boolean> | boolean, timeout = 15_000, every = 100) {
  const until = Date.now() + timeout
  while (Date.now() < until) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, every))
  }
  const seen = await Promise.all(watched.map((p) => listed(p).catch(() => '(closed)')))
  throw new Error(`the condition never held; tabs list: ${seen.map((s) => `[${s}]`).join(' ')}`)
}

/** Subjects and statuses a tab lists, as a set of `subject` for sessions that hold a live token. */
const liveSubjects = async (page: Page) =>
  (await listed(page))
    .split(' ')
    .filter((s) => /:active/.test(s))
    .map((s) => s.split(':')[0])
    .sort()
    .join(',')

/** Adds an account through the demo's "Add an account": the provider's login page, like a person. */
async function addAccount(page: Page, user: string) {
  await page.click('#kit-add')
  await page.waitForURL(/\/interaction\//, { waitUntil: 'commit' })
  await page.fill('input[name=login]', user)
  await page.fill('input[name=password]', 'correct horse battery staple')
  await page.click('button[type=submit]')
  await page.waitForURL((url) => url.pathname === '/' && !url.searchParams.has('code'), {
    waitUntil: 'commit',
    timeout: 20_000,
  })
  await eventually(async () => (await listed(page)).includes(`${user}:active*`))
}

describe('the session kit in Chromium', () => {
  const suite = demoInChromium({ accessTokenTtl: 4 })
  const contexts: BrowserContext[] = []
  afterEach(async () => {
    watched.length = 0
    for (const c of contexts.splice(0)) await c.close()
  })

  const newContext = async (options: Parameters<Browser['newContext']>[0] = {}) => {
    const ctx = await suite.browser.newContext(options)
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort())
    contexts.push(ctx)
    ctx.on('page', (page) => watched.push(page))
    return ctx
  }

  /** Per account: provider refresh calls, and the session's generation in each tab (all must agree). */
  const snapshot = async (tabs: Page[], ids: Record<string, string>) => {
    const calls = { ...suite.demo.op.counters.refreshesByAccount }
    const generations: Record<string, number[]> = {}
    for (const [subject, id] of Object.entries(ids)) {
      generations[subject] = await Promise.all(
        tabs.map((t) =>
          t.evaluate(
            (sid) =>
              (window as unknown as PageKit).tesseraKit.client(sid)?.actor.getSnapshot().context.record
                ?.generation ?? -1,
            id,
          ),
        ),
      )
    }
    const after = suite.demo.op.counters.refreshesByAccount
    const stable =
      Object.keys(ids).every((s) => calls[s] === after[s]) &&
      Object.values(generations).every((g) => new Set(g).size === 1)
    return { stable, calls, generations }
  }
  const stableSnapshot = async (tabs: Page[], ids: Record<string, string>) => {
    for (let i = 0; i < 100; i++) {
      const s = await snapshot(tabs, ids)
      if (s.stable) return s
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('the tabs never agreed')
  }

  it('two accounts in one browser: switch, both refresh on their own once per window across 3 tabs, sign out bob in one tab, then all', async () => {
    const context = await newContext({ viewport: { width: 1280, height: 1000 } })
    const first = await context.newPage()
    await first.goto(suite.demo.url)
    await addAccount(first, 'ada')
    await addAccount(first, 'bob')
    await eventually(async () => (await listed(first)) === 'ada:active bob:active*')

    // Switch to ada in this tab.
    await first.click('[data-testid=sessions] li[data-subject=ada] [data-testid=use-ada]')
    await eventually(async () => (await listed(first)) === 'ada:active* bob:active')
    expect(
      await first.evaluate(
        () => (window as unknown as PageKit).tesseraKit.getActive()?.getSession()?.subject,
      ),
    ).toBe('ada')

    // Two more tabs: each lists both accounts.
    const others = [await context.newPage(), await context.newPage()]
    for (const page of others) {
      await page.goto(suite.demo.url)
      await eventually(async () => (await liveSubjects(page)) === 'ada,bob')
    }
    const tabs = [first, ...others]
    const ids = Object.fromEntries(
      (await first.evaluate(() => (window as unknown as PageKit).tesseraKit.getSessions())).map((s) => [
        s.subject,
        s.id,
      ]),
    ) as Record<string, string>

    // 4 s tokens refresh about every 2 s, each session on its own schedule. Over several windows,
    // the provider saw exactly one refresh per new generation, per account, with no reuse.
    const reuseBefore = suite.demo.op.counters.refreshReuseDetections
    const start = await stableSnapshot(tabs, ids)
    await eventually(
      () =>
        ['ada', 'bob'].every(
          (s) => (suite.demo.op.counters.refreshesByAccount[s] ?? 0) - (start.calls[s] ?? 0) >= 4,
        ),
      30_000,
      200,
    )
    const end = await stableSnapshot(tabs, ids)
    for (const subject of ['ada', 'bob']) {
      const calls = (end.calls[subject] ?? 0) - (start.calls[subject] ?? 0)
      const windows = (end.generations[subject]?.[0] ?? 0) - (start.generations[subject]?.[0] ?? 0)
      expect(calls, subject).toBeGreaterThanOrEqual(4)
      expect(calls, `${subject}: refresh calls vs new tokens`).toBe(windows)
    }
    expect(suite.demo.op.counters.refreshReuseDetections - reuseBefore).toBe(0)
    for (const page of tabs) expect(await liveSubjects(page)).toBe('ada,bob')

    // The screenshot of the accounts and devices panel.
    await first.click('#devices-refresh')
    await eventually(async () => (await first.locator('[data-testid=devices] li').count()) >= 1)
    const shot = await first
      .locator('[data-testid=kit]')
      .screenshot({ path: 'test/e2e/__screenshots__/kit-accounts-devices.png' })
    expect(shot.byteLength).toBeGreaterThan(5_000)

    // Sign out bob in the second tab: ada stays, in every tab.
    await others[0]?.click('[data-testid=sessions] li[data-subject=bob] [data-testid=sign-out-bob]')
    for (const page of tabs) await eventually(async () => (await liveSubjects(page)) === 'ada')
    for (const page of tabs) {
      expect(
        await page.evaluate((id) => (window as unknown as PageKit).tesseraKit.client(id), ids.bob as string),
      ).toBeNull()
      expect(
        await page.evaluate(
          () => (window as unknown as PageKit).tesseraKit.getActive()?.getSession()?.subject,
        ),
      ).toBe('ada')
    }

    // Sign out all, from the third tab.
    await others[1]?.click('#kit-sign-out-all')
    for (const page of tabs) await eventually(async () => (await listed(page)) === '')
  }, 120_000)

  it('two devices of ada: listAccess shows 2 grants, one the caller; revoking the other expires it at its next refresh; 25 grants in 3 pages', async () => {
    const laptop = await (await newContext()).newPage()
    const phone = await (await newContext()).newPage()
    for (const page of [laptop, phone]) {
      await page.goto(suite.demo.url)
      await addAccount(page, 'ada')
    }
    await laptop.click('#devices-refresh')
    await eventually(async () => (await laptop.locator('[data-testid=devices] li').count()) === 2)
    expect(await laptop.locator('[data-testid=devices] li[data-caller=true]').count()).toBe(1)

    const phoneSession = await phone.evaluate(() => {
      const w = window as unknown as PageKit & { expiredReasons: string[] }
      w.expiredReasons = []
      const client = w.tesseraKit.getActive() as PageClient
      client.onSessionExpired((e) => w.expiredReasons.push(e.reason))
      return w.tesseraKit.getSessions()[0]?.id as string
    })
    const rejectionsBefore = suite.demo.op.counters.refreshRejections
    await laptop.click('[data-testid=devices] li[data-caller=false] [data-testid=revoke-other]')
    await eventually(async () => (await laptop.locator('[data-testid=devices] li').count()) === 1)
    expect(await laptop.locator('[data-testid=devices] li[data-caller=true]').count()).toBe(1)

    // The phone's next refresh (within ~2 s) is refused by the provider: it reaches expired.
    await eventually(async () =>
      phone.evaluate(
        (id) => (window as unknown as PageKit).tesseraKit.client(id)?.getStatus() === 'expired',
        phoneSession,
      ),
    )
    expect(
      await phone.evaluate(() => (window as unknown as { expiredReasons: string[] }).expiredReasons),
    ).toEqual(['refresh_rejected'])
    expect(suite.demo.op.counters.refreshRejections - rejectionsBefore).toBeGreaterThanOrEqual(1)
    expect(await listed(phone)).toBe('ada:expired*')
    // The laptop lives on.
    await laptop.waitForTimeout(2500)
    expect(await liveSubjects(laptop)).toBe('ada')

    // 24 more devices of ada (signed in outside the browser), 25 in all: 3 pages of 10, 10 and 5.
    const clients: SessionClient[] = []
    try {
      for (let i = 0; i < 24; i++) clients.push(await headlessDevice(suite.demo, 'ada'))
      const sizes = await laptop.evaluate(async () => {
        const client = (window as unknown as PageKit).tesseraKit.getActive() as PageClient
        const out: number[] = []
        for await (const page of client.listAccessPages({ pageSize: 10 })) out.push(page.grants.length)
        return out
      })
      expect(sizes).toEqual([10, 10, 5])
    } finally {
      for (const c of clients) c.destroy()
    }
  }, 120_000)
})

/** A device of `user` signed in from Node: its own key and storage, its own grant at the provider. */
async function headlessDevice(demo: RunningDemo, user: string): Promise<SessionClient> {
  const navigated: string[] = []
  const client = createSessionClient({
    appId: 'headless-device',
    methods: [
      oidc({
        issuer: demo.op.issuer,
        clientId: demo.op.clientId,
        redirectUri: demo.url,
        scope: 'openid email offline_access api:read',
        allowInsecureLoopback: true,
        redirectStorage: memoryStorage(),
      }),
    ],
    storage: memoryStorage(),
    sync: false,
    navigate: (url) => navigated.push(url),
    detectRedirectCallback: false,
  })
  const pending = client.signIn().catch(() => undefined)
  for (let i = 0; i < 300 && navigated.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  const callback = await scriptedLogin(navigated[0] as string, { redirectUri: demo.url, login: user })
  await client.handleRedirectCallback(callback)
  await pending
  return client
}
