import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  type AuthMethod,
  createSessionClient,
  type KeyStore,
  memoryKeyStore,
  memoryStorage,
  SessionError,
  type StorageAdapter,
} from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { destroyedWithTest } from '../kit/testClient.js'

/** A redirect method whose "provider" is this test: it hands out a URL and accepts ?code=good. */
function redirectMethod(calls: string[]): AuthMethod {
  return {
    id: 'redirector',
    async signIn(_params, ctx) {
      const key = await ctx.sessionKey()
      calls.push(`signIn:${key.id}`)
      return { type: 'redirect', url: `https://idp.example/authorize?jkt=${key.thumbprint}` }
    },
    isRedirectCallback: (url) => url.searchParams.has('code'),
    async completeRedirect(url, ctx) {
      const key = await ctx.sessionKey()
      calls.push(`complete:${key.id}`)
      if (url.searchParams.get('code') !== 'good')
        throw new SessionError('REDIRECT_STATE_MISMATCH', 'Unknown state')
      const now = Math.floor(ctx.now() / 1000)
      return { accessToken: fakeJwt({ sub: 'oidc-user', exp: now + 300 }), email: 'o@example.com' }
    },
  }
}

describe('redirect sign-in', () => {
  let storage: StorageAdapter
  let calls: string[]
  let navigated: string[]
  // One key store for every "page load", as IndexedDB is in a browser.
  let keyStore: KeyStore
  // A page load: what it finds in storage at construction is what these tests are about.
  const make = (redirectTimeoutSeconds = 600) =>
    destroyedWithTest(
      createSessionClient({
        appId: 'redir',
        methods: [redirectMethod(calls)],
        storage,
        sync: false,
        navigate: (url) => navigated.push(url),
        redirectTimeoutSeconds,
        keyStore,
      }),
    )
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') })
    storage = memoryStorage()
    calls = []
    navigated = []
    keyStore = memoryKeyStore()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('goes to oidcRedirectPending, survives a reload, and completes with the same session key', async () => {
    const a = make()
    void a.signIn().catch(() => undefined)
    await vi.waitFor(() => expect(a.getStatus()).toBe('oidcRedirectPending'))
    expect(navigated).toHaveLength(1)
    a.destroy()

    const b = make() // the page came back from the provider
    expect(b.getStatus()).toBe('oidcRedirectPending')
    const session = await b.handleRedirectCallback('https://app.example/callback?code=good&state=s')
    expect(session.subject).toBe('oidc-user')
    expect(session.method).toBe('redirector')
    expect(b.getStatus()).toBe('active')
    const [signInKey, completeKey] = calls.map((c) => c.split(':')[1])
    expect(completeKey).toBe(signInKey)
    expect(session.keyThumbprint).toBe(new URL(navigated[0] as string).searchParams.get('jkt'))
  })

  it('a bad callback fails with the method code and returns to signedOut', async () => {
    const a = make()
    void a.signIn().catch(() => undefined)
    await vi.waitFor(() => expect(a.getStatus()).toBe('oidcRedirectPending'))
    await expect(a.handleRedirectCallback('https://app.example/callback?code=evil')).rejects.toMatchObject({
      code: 'REDIRECT_STATE_MISMATCH',
    })
    expect(a.getStatus()).toBe('signedOut')
  })

  it('a redirect abandoned longer than redirectTimeoutSeconds returns to signedOut, also across a reload', async () => {
    const a = make(60)
    void a.signIn().catch(() => undefined)
    await vi.waitFor(() => expect(a.getStatus()).toBe('oidcRedirectPending'))
    a.destroy()
    vi.setSystemTime(Date.now() + 61_000)
    const b = make(60)
    expect(b.getStatus()).toBe('signedOut')

    const c = make(60)
    void c.signIn().catch(() => undefined)
    await vi.waitFor(() => expect(c.getStatus()).toBe('oidcRedirectPending'))
    const codes: string[] = []
    c.errors$.subscribe((e) => codes.push(e.code))
    await vi.advanceTimersByTimeAsync(60_001)
    expect(c.getStatus()).toBe('signedOut')
    expect(codes).toContain('REDIRECT_TIMEOUT')
  })

  it('signIn with an unknown method fails with METHOD_NOT_FOUND and changes nothing', async () => {
    const a = make()
    await expect(a.signIn({}, { method: 'nope' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
    expect(a.getStatus()).toBe('signedOut')
  })
})
