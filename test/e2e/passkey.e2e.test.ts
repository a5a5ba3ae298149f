// Passkeys end to end: the demo page in Chromium with the DevTools virtual authenticator (CTAP2,
// internal transport, resident keys, user verification), against the demo's passkey server.
import type { BrowserContext, Page } from 'playwright'
import { afterEach, describe, expect, it } from 'vitest'
import { addVirtualAuthenticator, type VirtualAuthenticator } from '../utils/virtualAuthenticator.js'
import { demoInChromium } from './demoInChromium.js'

interface PageSession {
  id: string
  subject: string
  method: string
  accessToken: string
  claims?: Record<string, unknown>
}
interface Probe {
  statuses: string[]
  webauthn: { create: number; get: number; conditional: number }
}

const status = (page: Page) => page.locator('[data-testid=status]').textContent()
const outcome = (page: Page) => page.locator('[data-testid=passkey-outcome]').textContent()
const sessionOf = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { tessera: { getSession(): PageSession | null } }).tessera.getSession() ?? null,
  )
const probe = (page: Page) => page.evaluate(() => (window as unknown as { probe: Probe }).probe)

async function waitForStatus(page: Page, expected: string | RegExp, timeout = 15_000) {
  await page.waitForFunction(
    ({ source, flags }) =>
      new RegExp(source, flags).test(document.querySelector('[data-testid=status]')?.textContent ?? ''),
    typeof expected === 'string'
      ? { source: `^${expected}$`, flags: '' }
      : { source: expected.source, flags: expected.flags },
    { timeout },
  )
}

async function waitForOutcome(page: Page, expected: RegExp) {
  await page.waitForFunction(
    (source) =>
      new RegExp(source).test(document.querySelector('[data-testid=passkey-outcome]')?.textContent ?? ''),
    expected.source,
    { timeout: 15_000 },
  )
}

describe('passkeys in Chromium (virtual authenticator)', () => {
  const suite = demoInChromium({ accessTokenTtl: 4 })
  let context: BrowserContext
  afterEach(async () => {
    await context?.close()
  })

  /**
   * A context whose pages reach only this machine, and record every status the page shows and
   * every WebAuthn call it makes (before any page script runs).
   */
  async function newContext() {
    context = await suite.browser.newContext()
    await context.route(/^https?:\/\/(?!(127\.0\.0\.1|localhost)[:/])/, (route) => route.abort())
    await context.addInitScript(() => {
      const probe: Probe = { statuses: [], webauthn: { create: 0, get: 0, conditional: 0 } }
      Object.assign(window, { probe })
      const container = navigator.credentials
      if (container) {
        const create = container.create.bind(container)
        const get = container.get.bind(container)
        container.create = (options) => {
          probe.webauthn.create++
          return create(options)
        }
        container.get = (options) => {
          if (options?.mediation === 'conditional') probe.webauthn.conditional++
          else probe.webauthn.get++
          return get(options)
        }
      }
      document.addEventListener('DOMContentLoaded', () => {
        const shown = document.querySelector('[data-testid=status]')
        if (!shown) return
        new MutationObserver(() => probe.statuses.push(shown.textContent ?? '')).observe(shown, {
          childList: true,
          characterData: true,
          subtree: true,
        })
      })
    })
    return context
  }

  /** A page with its own virtual authenticator, on the localhost page (passkeys need a domain). */
  async function openPage(
    options: Parameters<typeof addVirtualAuthenticator>[2] = {},
  ): Promise<[Page, VirtualAuthenticator]> {
    const page = await context.newPage()
    const authenticator = await addVirtualAuthenticator(context, page, options)
    await page.goto(suite.demo.localhostUrl)
    await waitForStatus(page, /^(signedOut|active)$/)
    return [page, authenticator]
  }

  async function register(page: Page, name: string) {
    await page.fill('#passkey-name', name)
    await page.click('#passkey-register')
    await waitForOutcome(page, new RegExp(`registration: signed in as ${name}`))
    await waitForStatus(page, /^(active|refreshing)$/)
  }

  it('registers, signs out keeping the passkey, and signs in again with one ceremony', async () => {
    await newContext()
    const [page, authenticator] = await openPage()
    await register(page, 'ada')
    const session = await sessionOf(page)
    expect(session).toMatchObject({ method: 'passkey', claims: { name: 'ada' } })
    const [credential] = await authenticator.credentials()
    expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost' })
    expect(suite.demo.passkey.users.get(session?.subject ?? '')?.name).toBe('ada')

    await page.click('#call-api')
    await page.waitForFunction(() => document.querySelector('#log')?.textContent?.includes('API 200'))
    expect(await page.locator('#log').textContent()).toContain('"name":"ada"')

    const logouts = suite.demo.passkey.counters.logouts
    await page.click('#sign-out')
    await waitForStatus(page, 'signedOut')
    expect(await sessionOf(page)).toBeNull()
    await expect.poll(() => suite.demo.passkey.counters.logouts).toBe(logouts + 1)
    // Sign-out kept the passkey, in the authenticator and on the server.
    expect(await authenticator.credentials()).toHaveLength(1)
    // CDP reports the id in base64, the server keys it in base64url.
    const stored = Buffer.from(credential?.credentialId ?? '', 'base64').toString('base64url')
    expect(suite.demo.passkey.credentials.has(stored)).toBe(true)

    const before = await probe(page)
    const authentications = suite.demo.passkey.counters.authentications
    await page.click('#passkey-sign-in')
    await waitForOutcome(page, /sign-in: signed in as ada/)
    await waitForStatus(page, /^(active|refreshing)$/)
    const after = await probe(page)
    // One ceremony: one get(), one signature from the authenticator, one verification.
    expect(after.webauthn.get - before.webauthn.get).toBe(1)
    expect(after.webauthn.create).toBe(before.webauthn.create)
    expect((await authenticator.credentials())[0]?.signCount).toBe((credential?.signCount ?? 0) + 1)
    expect(suite.demo.passkey.counters.authentications).toBe(authentications + 1)
    expect((await sessionOf(page))?.subject).toBe(session?.subject)
  })

  it('a reload shows the session at the first read (no flash), and a second tab shares it through refreshes and sign-out', async () => {
    await newContext()
    const [page, authenticator] = await openPage()
    await register(page, 'grace')
    const session = await sessionOf(page)

    await page.reload()
    await waitForStatus(page, /^(active|refreshing)$/)
    const shown = (await probe(page)).statuses
    expect(shown[0]).toMatch(/^(active|refreshing)$/) // the first status the page ever showed
    expect(shown).not.toContain('signedOut')
    expect(shown).not.toContain('restoring')
    expect((await sessionOf(page))?.id).toBe(session?.id)

    const second = await context.newPage()
    await second.goto(suite.demo.localhostUrl)
    await waitForStatus(second, /^(active|refreshing)$/)
    expect((await probe(second)).statuses[0]).toMatch(/^(active|refreshing)$/)
    expect((await sessionOf(second))?.id).toBe(session?.id)

    // 4 s tokens: both tabs live through several rotations of the refresh token, with no reuse.
    const refreshes = suite.demo.passkey.counters.refreshCalls
    const reuse = suite.demo.passkey.counters.refreshReuseDetections
    for (let i = 0; i < 120 && suite.demo.passkey.counters.refreshCalls - refreshes < 4; i++)
      await page.waitForTimeout(250)
    expect(suite.demo.passkey.counters.refreshCalls - refreshes).toBeGreaterThanOrEqual(4)
    expect(suite.demo.passkey.counters.refreshReuseDetections).toBe(reuse)
    for (const tab of [page, second]) {
      expect(await status(tab)).toMatch(/^(active|refreshing)$/)
      expect((await sessionOf(tab))?.id).toBe(session?.id)
    }

    await second.click('#sign-out')
    for (const tab of [page, second]) await waitForStatus(tab, 'signedOut')
    expect(await authenticator.credentials()).toHaveLength(1)
    expect((await probe(second)).webauthn).toEqual({ create: 0, get: 0, conditional: 0 })
  })

  it('a cancelled ceremony (user verification refused) leaves the earlier state untouched and reports PASSKEY_CANCELLED', async () => {
    await newContext()
    const [page, authenticator] = await openPage()
    await register(page, 'hedy')
    const session = await sessionOf(page)
    await authenticator.setUserVerified(false)

    // Signed in: the failed attempt, through the client, keeps the session.
    const code = await page.evaluate(() =>
      (
        window as unknown as { tessera: { signIn(p: unknown, o: { method: string }): Promise<unknown> } }
      ).tessera
        .signIn(undefined, { method: 'passkey' })
        .then(
          () => 'signed in',
          (e: { code?: string }) => e.code,
        ),
    )
    expect(code).toBe('PASSKEY_CANCELLED')
    await waitForStatus(page, /^(active|refreshing)$/)
    expect(await sessionOf(page)).toMatchObject({
      id: session?.id,
      subject: session?.subject,
      method: 'passkey',
    })
    await page.reload()
    await waitForStatus(page, /^(active|refreshing)$/)
    expect((await sessionOf(page))?.id).toBe(session?.id) // what storage holds was not touched either

    // Signed out: the button reports the code and the page stays signed out.
    await page.click('#sign-out')
    await waitForStatus(page, 'signedOut')
    await page.click('#passkey-sign-in')
    await waitForOutcome(page, /^PASSKEY_CANCELLED$/)
    expect(await status(page)).toBe('signedOut')
    expect(await sessionOf(page)).toBeNull()

    await authenticator.setUserVerified(true)
    await page.click('#passkey-sign-in')
    await waitForOutcome(page, /sign-in: signed in as hedy/)
  })

  it('the server verifies the assertion: tampered ones are refused in flight, and a replayed one too', async () => {
    await newContext()
    const [page] = await openPage()
    await register(page, 'ida')
    await page.click('#sign-out')
    await waitForStatus(page, 'signedOut')

    type Body = { response: Record<string, string> }
    const tamperings: Array<[(body: Body) => void, RegExp]> = [
      [
        (body) => {
          const signature = Buffer.from(body.response.signature ?? '', 'base64url')
          signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 1
          body.response.signature = signature.toString('base64url')
        },
        /invalid_response/,
      ],
      [
        (body) => {
          const clientData = JSON.parse(
            Buffer.from(body.response.clientDataJSON ?? '', 'base64url').toString(),
          )
          clientData.origin = 'https://evil.example'
          body.response.clientDataJSON = Buffer.from(JSON.stringify(clientData)).toString('base64url')
        },
        /origin/i,
      ],
    ]
    for (const [tamper, reason] of tamperings) {
      await page.route('**/passkey/authenticate/verify', async (route) => {
        const body = route.request().postDataJSON() as Body
        tamper(body)
        await route.continue({ postData: JSON.stringify(body) })
      })
      const refused = suite.demo.passkey.counters.refused
      await page.click('#passkey-sign-in')
      await waitForOutcome(page, /^SIGN_IN_FAILED$/)
      expect(suite.demo.passkey.counters.refused).toBe(refused + 1)
      expect(suite.demo.passkey.lastRefusal).toMatch(reason)
      expect(await status(page)).toBe('signedOut')
      await page.unroute('**/passkey/authenticate/verify')
      await page.evaluate(() => {
        const shown = document.querySelector('[data-testid=passkey-outcome]')
        if (shown) shown.textContent = ''
      })
    }

    // The untouched assertion is accepted once, and refused when replayed.
    let captured = ''
    await page.route('**/passkey/authenticate/verify', async (route) => {
      captured = route.request().postData() ?? ''
      await route.continue()
    })
    await page.click('#passkey-sign-in')
    await waitForOutcome(page, /sign-in: signed in as ida/)
    const replay = await fetch(`${suite.demo.url}passkey/authenticate/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: captured,
    })
    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ error: 'invalid_challenge' })
  })

  it('a passkey the server no longer knows gives PASSKEY_UNKNOWN and leaves the page signed out', async () => {
    await newContext()
    const [page, authenticator] = await openPage()
    await register(page, 'joan')
    const subject = (await sessionOf(page))?.subject
    await page.click('#sign-out')
    await waitForStatus(page, 'signedOut')
    for (const [id, stored] of suite.demo.passkey.credentials) {
      if (stored.userId === subject) suite.demo.passkey.credentials.delete(id)
    }
    const unknown = suite.demo.passkey.counters.unknownCredentials
    await page.click('#passkey-sign-in')
    await waitForOutcome(page, /^PASSKEY_UNKNOWN$/)
    expect(suite.demo.passkey.counters.unknownCredentials).toBe(unknown + 1)
    expect(await status(page)).toBe('signedOut')
    // The method told the browser (WebAuthn L3 signalUnknownCredential); Chromium drops the stale passkey.
    await expect.poll(() => authenticator.credentials(), { timeout: 5_000 }).toHaveLength(0)
  })

  it('autofill: focusing the name field offers the passkey, and picking it signs in', async () => {
    await newContext()
    const [page] = await openPage()
    await register(page, 'katherine')
    await page.click('#sign-out')
    await waitForStatus(page, 'signedOut')
    const before = await probe(page)
    // Chromium's virtual authenticator picks the suggestion at once, like a user would.
    await page.focus('#passkey-name')
    await waitForOutcome(page, /autofill: signed in as katherine/)
    await waitForStatus(page, /^(active|refreshing)$/)
    const after = await probe(page)
    expect(after.webauthn.conditional - before.webauthn.conditional).toBe(1)
    expect(after.webauthn.get).toBe(before.webauthn.get)
  })

  it('OIDC and passkeys side by side on the localhost page', async () => {
    await newContext()
    const [page] = await openPage()
    await page.click('#sign-in')
    await page.waitForURL(/\/interaction\//, { waitUntil: 'commit' })
    await page.fill('input[name=login]', 'lin')
    await page.fill('input[name=password]', 'correct horse battery staple')
    await page.click('button[type=submit]')
    await waitForStatus(page, /^(active|refreshing)$/)
    expect(new URL(page.url()).origin).toBe(new URL(suite.demo.localhostUrl).origin)
    expect(await sessionOf(page)).toMatchObject({ method: 'oidc', subject: 'lin' })
    await page.click('#call-api')
    await page.waitForFunction(() => document.querySelector('#log')?.textContent?.includes('API 200'))

    await page.click('#sign-out')
    await waitForStatus(page, 'signedOut')
    await register(page, 'lin')
    expect(await sessionOf(page)).toMatchObject({ method: 'passkey', claims: { name: 'lin' } })
  })

  it('a prompt nobody answers ends at its time limit with PASSKEY_TIMEOUT', async () => {
    await newContext()
    const [page] = await openPage({ presence: false })
    await page.route('**/passkey/authenticate/options', async (route) => {
      const response = await route.fetch()
      await route.fulfill({ response, json: { ...(await response.json()), timeout: 1_500 } })
    })
    const refused = suite.demo.passkey.counters.refused
    await page.click('#passkey-sign-in')
    await waitForOutcome(page, /^PASSKEY_[A-Z_]+$/)
    expect(await outcome(page)).toBe('PASSKEY_TIMEOUT')
    expect(await status(page)).toBe('signedOut')
    expect((await probe(page)).webauthn.get).toBe(1)
    expect(suite.demo.passkey.counters.refused).toBe(refused) // nothing reached the verify endpoint
  })

  it('with no authenticator the prompt ends in PASSKEY_UNAVAILABLE; on 127.0.0.1 passkeys are PASSKEY_NOT_SUPPORTED', async () => {
    await newContext()
    const [page] = await openPage({ none: true })
    // A short time limit from the server, so nothing has to wait a minute.
    await page.route('**/passkey/authenticate/options', async (route) => {
      const response = await route.fetch()
      await route.fulfill({ response, json: { ...(await response.json()), timeout: 1_500 } })
    })
    await page.click('#passkey-sign-in')
    await waitForOutcome(page, /^PASSKEY_(UNAVAILABLE|TIMEOUT)$/)
    expect(await outcome(page)).toBe('PASSKEY_UNAVAILABLE')
    expect(await status(page)).toBe('signedOut')

    const byAddress = await context.newPage()
    await addVirtualAuthenticator(context, byAddress)
    await byAddress.goto(suite.demo.url)
    await waitForStatus(byAddress, 'signedOut')
    expect(await byAddress.locator('#passkey-note').isVisible()).toBe(true)
    await byAddress.click('#passkey-sign-in')
    await waitForOutcome(byAddress, /^PASSKEY_NOT_SUPPORTED$/)
    expect(await status(byAddress)).toBe('signedOut')
  })
})
