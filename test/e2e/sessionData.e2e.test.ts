import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, BrowserContext, Page } from 'playwright'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningDemo, startDemo } from '../../docs/demo/startDemo.js'
import { launchChromium } from '../utils/chromium.js'

/** tessera-session/session-data as a page script (`window.sessionData`), bundled from the sources. */
async function bundleSessionData(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../../src/sessionData/index.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    globalName: 'sessionData',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]?.text ?? ''
}

type Lib = typeof import('../../src/sessionData/index.js')
declare const sessionData: Lib

describe('encrypted session data in Chromium, shared by session id through the demo server', () => {
  let demo: RunningDemo
  let browser: Browser
  let script: string
  const contexts: BrowserContext[] = []
  beforeAll(async () => {
    ;[demo, browser, script] = await Promise.all([
      startDemo({ port: 0 }),
      launchChromium(),
      bundleSessionData(),
    ])
  })
  afterAll(async () => {
    for (const c of contexts) await c.close()
    await browser?.close()
    await demo?.close()
  })

  /** A separate browser profile (no shared storage) on the demo's origin, with the library loaded. */
  async function visitor(): Promise<Page> {
    const context = await browser.newContext()
    contexts.push(context)
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort())
    const page = await context.newPage()
    await page.goto(demo.url)
    await page.addScriptTag({ content: script })
    return page
  }

  /** Runs `op` in the page and returns its value, or the SessionError code it failed with. */
  function run<T>(
    page: Page,
    op: string,
    arg: Record<string, unknown>,
  ): Promise<{ value?: T; code?: string }> {
    return page.evaluate(
      async ({ op, arg }) => {
        const store = sessionData.encryptedSessionData({
          url: '/session-data',
          sessionId: arg.sessionId as string,
          namespace: 'e2e',
        })
        try {
          if (op === 'create') return { value: await store.create(arg.data) }
          if (op === 'read') return { value: await store.read() }
          if (op === 'update') return { value: await store.update(arg.data) }
          return { value: await store.invalidate() }
        } catch (error) {
          return { code: (error as { code?: string }).code ?? String(error) }
        }
      },
      { op, arg },
    ) as Promise<{ value?: T; code?: string }>
  }

  it('a second context reads what the first stored, the server holds only ciphertext, tampering is refused', async () => {
    const alice = await visitor()
    const bob = await visitor()
    const sessionId = await alice.evaluate(() => sessionData.generateSessionDataId())
    const secret = {
      userId: 'alice-42',
      privateKeyShare: 'f00dfeedc0ffee',
      note: 'only for holders of the id',
    }

    expect(await run(alice, 'create', { sessionId, data: secret })).toEqual({})
    // Bob has no cookie, no storage in common with Alice: only the session id.
    expect(await run(bob, 'read', { sessionId })).toEqual({ value: secret })

    // What the server stored and every request it saw: no session id, no plaintext.
    const [slot, stored] = [...demo.sessionData.blobs].at(-1) as [string, { blob: string }]
    expect(slot).toMatch(/^e2e\/[0-9a-f]{64}$/)
    expect(stored.blob).toMatch(/^v1\.[\w-]+\.[\w-]+$/)
    const seen = JSON.stringify(demo.sessionData.requests) + JSON.stringify([...demo.sessionData.blobs])
    expect(seen).not.toContain(sessionId.slice(2))
    for (const plain of ['alice-42', 'f00dfeedc0ffee', 'only for holders']) expect(seen).not.toContain(plain)

    // Bob updates; Alice sees it.
    expect(await run(bob, 'update', { sessionId, data: { ...secret, step: 2 } })).toEqual({})
    expect(await run(alice, 'read', { sessionId })).toEqual({ value: { ...secret, step: 2 } })

    // The server (or anyone on its disk) flips one bit of the ciphertext: both contexts refuse it.
    const current = demo.sessionData.blobs.get(slot) as { blob: string; expiresAt: number }
    const [v, iv, sealed] = current.blob.split('.') as [string, string, string]
    const bytes = Buffer.from(sealed, 'base64url')
    bytes[3] = (bytes[3] as number) ^ 0x80
    demo.sessionData.blobs.set(slot, { ...current, blob: `${v}.${iv}.${bytes.toString('base64url')}` })
    expect(await run(alice, 'read', { sessionId })).toEqual({ code: 'INVALID_SESSION' })
    expect(await run(bob, 'read', { sessionId })).toEqual({ code: 'INVALID_SESSION' })

    // A wrong id finds nothing; invalidation ends it for everyone.
    const stranger = await alice.evaluate(() => sessionData.generateSessionDataId())
    expect(await run(bob, 'read', { sessionId: stranger })).toEqual({ code: 'NO_SESSION' })
    demo.sessionData.blobs.set(slot, current)
    expect(await run(bob, 'read', { sessionId })).toEqual({ value: { ...secret, step: 2 } })
    expect(await run(alice, 'invalidate', { sessionId })).toEqual({})
    expect(await run(bob, 'read', { sessionId })).toEqual({ code: 'NO_SESSION' })
  })
})
