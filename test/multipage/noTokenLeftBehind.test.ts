// Issue 9, item 1: after sign-out, no token string the server issued remains anywhere the origin
// keeps data (localStorage, sessionStorage, cookies, every IndexedDB database), whichever storage
// the app chose. Real Chromium, real IndexedDB, a token server that rotates refresh tokens.
import type { Browser, BrowserContext, Page } from 'playwright'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTokenServer, type TokenServer } from '../kit/tokenServer.js'
import { launchChromium } from '../utils/chromium.js'
import { openTab, type PageServer, startPageServer } from './multipageHarness.js'

type Harness = {
  harness: {
    client: { signIn(p: unknown): Promise<unknown>; refresh(): Promise<string>; signOut(): Promise<void> }
  }
}

/** Everything the origin stores, as text: web storage, cookies, and every value of every IndexedDB store. */
function everythingStored(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const parts: string[] = [document.cookie]
    for (const store of [localStorage, sessionStorage]) {
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i) as string
        parts.push(key, store.getItem(key) ?? '')
      }
    }
    for (const { name, version } of await indexedDB.databases()) {
      if (!name) continue
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name, version)
        open.onsuccess = () => resolve(open.result)
        open.onerror = () => reject(open.error)
      })
      for (const storeName of Array.from(db.objectStoreNames)) {
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(storeName).objectStore(storeName).getAll()
          request.onsuccess = () => resolve(request.result)
          request.onerror = () => reject(request.error)
        })
        parts.push(name, storeName, JSON.stringify(values))
      }
      db.close()
    }
    return parts.join('\n')
  })
}

describe('after sign-out, no issued token is left anywhere the origin stores data', () => {
  let browser: Browser
  let pages: PageServer
  let tokens: TokenServer
  let context: BrowserContext | undefined
  beforeAll(async () => {
    browser = await launchChromium()
    pages = await startPageServer()
    tokens = await startTokenServer({ accessTokenTtl: 60 })
  })
  afterEach(async () => {
    await context?.close()
  })
  afterAll(async () => {
    await browser?.close()
    await pages?.close()
    await tokens?.close()
  })

  for (const storage of ['web', 'memory', 'encrypted', 'cookies', 'idb']) {
    it(`with ${storage} storage: 0 tokens found after sign-in, refresh and sign-out`, async () => {
      context = await browser.newContext()
      const page = await openTab(context, pages.url, { server: tokens.url, storage, skew: 30 })
      // Every token string the server hands out, read off the wire.
      const issued: string[] = []
      page.on('response', async (response) => {
        if (!/\/(login|refresh)$/.test(new URL(response.url()).pathname) || !response.ok()) return
        const body = (await response.json().catch(() => ({}))) as Record<string, unknown>
        for (const key of ['access_token', 'refresh_token', 'id_token']) {
          if (typeof body[key] === 'string') issued.push(body[key] as string)
        }
      })
      await page.evaluate(async () => {
        const { harness } = window as unknown as Harness
        await harness.client.signIn({ sub: 'ada' })
        await harness.client.refresh()
      })
      // While signed in, the tokens are somewhere (except with memory storage): the search works.
      if (storage !== 'memory' && storage !== 'encrypted') {
        const during = await everythingStored(page)
        expect(issued.some((token) => during.includes(token))).toBe(true)
      }
      await page.evaluate(() => (window as unknown as Harness).harness.client.signOut())
      // Revocation and key deletion run in the background after local state is gone.
      await page.waitForTimeout(500)
      const after = await everythingStored(page)
      expect(issued.length).toBeGreaterThanOrEqual(4)
      expect(issued.filter((token) => after.includes(token))).toEqual([])
    })
  }
})
