/**
 * Issue 12 in Chromium: wallet sign-in through the demo page with an injected EIP-1193 provider
 * (a real secp256k1 key, signing in Node), a reload, and hasSessionFor with and without a covered
 * resource.
 */
import { ParsedMessage } from '@spruceid/siwe-parser'
import type { BrowserContext, Page } from 'playwright'
import { afterEach, describe, expect, it } from 'vitest'
import type { Session } from '../../src/index.js'
import { verifySessionToken } from '../../src/server/index.js'
import { checksummed, testWallet } from '../utils/testWallet.js'
import { demoInChromium } from './demoInChromium.js'

type PageClient = {
  tessera: {
    getSession(): Session | null
    hasSessionFor(account: string, options?: { resources?: string[] }): boolean
    getIdToken(): Promise<string>
  }
}

async function waitForStatus(page: Page, expected: string, timeout = 15_000) {
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid=status]')?.textContent === want,
    expected,
    { timeout },
  )
}

describe('wallet sign-in through the demo page (Chromium)', () => {
  const suite = demoInChromium()
  let context: BrowserContext
  afterEach(async () => {
    await context?.close()
  })

  it('signs in with an injected wallet, keeps the capability across a reload, and answers hasSessionFor by resource', async () => {
    const w = testWallet({ chainId: 1 })
    context = await suite.browser.newContext()
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort())
    // The page's wallet forwards every EIP-1193 request to the key held here, in Node.
    await context.exposeFunction('__testWallet', (method: string, params: unknown[]) =>
      w.provider.request({ method, params }),
    )
    await context.addInitScript(() => {
      const bridge = (
        window as unknown as { __testWallet(method: string, params: unknown[]): Promise<unknown> }
      ).__testWallet
      Object.assign(window, {
        ethereum: {
          request: ({ method, params }: { method: string; params?: unknown[] }) =>
            bridge(method, params ?? []),
        },
      })
    })
    const page = await context.newPage()
    await page.goto(suite.demo.url)
    await waitForStatus(page, 'signedOut')
    await page.click('#wallet-sign-in')
    await waitForStatus(page, 'active')
    expect(w.calls).toEqual(['eth_requestAccounts', 'eth_chainId', 'personal_sign'])
    expect(suite.demo.wallet.counters.verified).toBe(1)

    const origin = new URL(suite.demo.url).origin
    const session = (await page.evaluate(() =>
      (window as unknown as PageClient).tessera.getSession(),
    )) as Session
    const address = checksummed(w.address)
    expect(session.address).toBe(address)
    expect(session.capability?.p).toMatchObject({
      domain: new URL(suite.demo.url).host,
      iss: `did:pkh:eip155:1:${address}`,
      aud: session.did,
      resources: ['ceramic://*', `${origin}/wallet/posts`],
    })
    const signed = new ParsedMessage(w.messages[0] as string)
    expect(signed.uri).toBe(session.did)
    expect(await page.locator('[data-testid=claims]').textContent()).toContain(`did:pkh:eip155:1:${address}`)

    await page.reload()
    await waitForStatus(page, 'active')
    const after = await page.evaluate(
      ({ lower, origin }) => {
        const t = (window as unknown as PageClient).tessera
        return {
          capability: t.getSession()?.capability,
          covered: t.hasSessionFor(lower, { resources: ['ceramic://kjzl6stream', `${origin}/wallet/posts`] }),
          notCovered: t.hasSessionFor(lower, { resources: [`${origin}/wallet/admin`] }),
          otherAccount: t.hasSessionFor('0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'),
        }
      },
      { lower: w.address, origin },
    )
    expect(after).toEqual({
      capability: session.capability,
      covered: true,
      notCovered: false,
      otherAccount: false,
    })

    // The session key survived the reload in IndexedDB: its token still verifies on a backend.
    const token = await page.evaluate(() => (window as unknown as PageClient).tessera.getIdToken())
    const verified = await verifySessionToken(token, {
      domain: new URL(suite.demo.url).host,
      resources: [`${origin}/wallet/posts`],
    })
    expect(verified.account).toBe(`eip155:1:${address}`)
    expect(verified.sessionKey).toBe(session.did)
  })
})
