// Issue 9, the items in the core: each test is named after the behaviour and failed on the code
// before the fix.
import { describe, expect, it } from 'vitest'
import {
  type AuthMethod,
  cookieStorage,
  createSessionClient,
  memoryKeyStore,
  memoryStorage,
  type SessionError,
  type StorageAdapter,
} from '../../src/index.js'
import { simulatedEnvironment } from '../../src/testing/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { scriptedMethod } from '../kit/scriptedMethod.js'
import { testClient } from '../kit/testClient.js'
import { tokenService } from '../kit/tokenService.js'

/** A document with a cookie jar as browsers keep one (name=value pairs, Max-Age=0 deletes). */
function cookieJar() {
  const jar = new Map<string, string>()
  return {
    get cookie() {
      return [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    },
    set cookie(line: string) {
      const [pair, ...attributes] = line.split('; ')
      const [name, value] = (pair as string).split(/=(.*)/s) as [string, string]
      if (attributes.includes('Max-Age=0')) jar.delete(name)
      else jar.set(name, value)
    },
  }
}

describe('issue 9 in the core', () => {
  it('a provider answering expires_in 0 gets a handful of refreshes a minute, not a loop, and errors$ says why', async () => {
    const env = simulatedEnvironment()
    const zero = scriptedMethod({ now: () => env.now(), expiresIn: 0 })
    const { client } = testClient({ environment: env, methods: [zero.method] })
    const errors: SessionError[] = []
    client.errors$.subscribe((e) => errors.push(e))
    await client.signIn().catch(() => undefined)
    await env.advance(60_000)
    expect(zero.state.refreshes).toBeGreaterThan(0)
    expect(zero.state.refreshes).toBeLessThanOrEqual(8)
    expect(errors.filter((e) => e.code === 'INVALID_TOKEN').length).toBeGreaterThanOrEqual(1)
    // The next minute is calmer still: the floor has grown to 30 s.
    const before = zero.state.refreshes
    await env.advance(60_000)
    expect(zero.state.refreshes - before).toBeLessThanOrEqual(3)
  })

  it('a client clock ten minutes ahead of the server still gets a usable session from a JWT with iat and exp', async () => {
    const env = simulatedEnvironment()
    const service = tokenService({ now: () => env.now() - 600_000, lifetimeSeconds: 300 })
    const ahead = scriptedMethod({ service })
    const { client } = testClient({ environment: env, methods: [ahead.method] })
    const session = await client.signIn()
    // The sign-in's token looks expired here (an old iat could also be an old token): one refresh,
    // whose token was minted for this very request, tells how far the clock is off.
    await env.advance(2_000)
    expect(ahead.state.refreshes).toBe(1)
    expect(client.getSession()?.id).toBe(session.id)
    // From then on the pace is the token's: no refresh before half its life, then one.
    await env.advance(120_000)
    expect(ahead.state.refreshes).toBe(1)
    await env.advance(200_000)
    expect(ahead.state.refreshes).toBe(2)
    expect(client.getStatus()).toBe('active')
  })

  it('a rotated refresh token too big for its cookie never leaves the old one paired with the new record', async () => {
    const document = cookieJar()
    const storage = { default: memoryStorage(), refreshToken: cookieStorage({ document }) }
    let big = false
    const service = tokenService({ now: () => Date.now(), lifetimeSeconds: 300 })
    const method: AuthMethod<undefined> = {
      id: 'big',
      async signIn() {
        const t = service.login('ada')
        return { accessToken: t.accessToken, refreshToken: t.refreshToken }
      },
      async refresh(credentials) {
        const t = service.refresh(credentials.refreshToken as string)
        // A provider that rotates to a refresh token over 4 KB (it happens with some JWT refresh tokens).
        return {
          accessToken: t.accessToken,
          refreshToken: big ? `${t.refreshToken}.${'x'.repeat(5000)}` : t.refreshToken,
        }
      },
    }
    const make = () =>
      createSessionClient({
        appId: 'big',
        methods: [method],
        storage,
        sync: false,
        keyStore: memoryKeyStore(),
      })
    const first = make()
    await first.signIn()
    big = true
    await first.refresh()
    first.destroy()
    // The reload finds the new record and no usable refresh token: it never presents rt1 again.
    const reloaded = make()
    expect(reloaded.actor.getSnapshot().context.record?.credentials.refreshToken).toBeUndefined()
    await reloaded.refresh().catch(() => undefined)
    expect(service.counters.reuseDetections).toBe(0)
    reloaded.destroy()
  })

  it('sign-out clears every real slot even after one slot’s read failed (a malformed cookie), so a reload is signed out', async () => {
    const main = memoryStorage()
    const ids = memoryStorage()
    let malformed = false
    const idSlot: StorageAdapter = {
      // decodeURIComponent of a malformed cookie throws: this slot's read fails on the second page.
      get: (key) => {
        if (malformed) throw new URIError('URI malformed')
        return ids.get(key)
      },
      set: (key, value) => ids.set(key, value),
      remove: (key) => ids.remove(key),
    }
    const storage = { default: main, idToken: idSlot }
    const make = () =>
      createSessionClient({
        appId: 'sixth',
        methods: [scriptedMethod().method],
        storage,
        sync: false,
        keyStore: memoryKeyStore(),
      })
    // Page 1 signs in: the session is in real storage.
    const first = make()
    await first.signIn()
    first.destroy()
    // Page 2: one slot cannot be read; the user signs in again, then out.
    malformed = true
    const second = make()
    await second.signIn()
    await second.signOut()
    second.destroy()
    // Page 3 must come up signed out: the sign-out reached the real storage.
    malformed = false
    const third = make()
    expect(third.getStatus()).toBe('signedOut')
    third.destroy()
  })

  it('signOut({ redirect: true }) clears local state at once, while building the logout URL hangs', async () => {
    const storage = memoryStorage()
    const navigated: string[] = []
    const base = scriptedMethod()
    const method: AuthMethod<undefined> = {
      ...base.method,
      id: 'hung-discovery',
      endSessionUrl: () => new Promise<string | null>(() => undefined),
    }
    const { client } = testClient({
      appId: 'redirect-out',
      methods: [method],
      storage,
      navigate: (url) => navigated.push(url),
      signOutTimeoutMs: 200,
    })
    await client.signIn()
    const signingOut = client.signOut({ redirect: true })
    expect(client.getStatus()).toBe('signedOut')
    expect(storage.get('tessera:redirect-out:refresh_token')).toBeNull()
    expect(client.getRefreshToken()).toBeNull()
    await signingOut
    expect(navigated).toEqual([])
  })

  it('an already-expired token from a method that cannot refresh is refused at sign-in with INVALID_TOKEN', async () => {
    const iat = Math.floor(Date.now() / 1000) - 600
    const stale: AuthMethod<undefined> = {
      id: 'stale',
      signIn: async () => ({ accessToken: fakeJwt({ sub: 'ada', iat, exp: iat + 300 }) }),
    }
    const { client } = testClient({ methods: [stale] })
    await expect(client.signIn()).rejects.toMatchObject({ code: 'INVALID_TOKEN' })
    expect(client.getStatus()).toBe('signedOut')
    await expect(
      client.setTokens({ accessToken: fakeJwt({ sub: 'ada', iat, exp: iat + 300 }) }),
    ).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    })
  })

  it('a refresh never changes the session’s subject, whatever the method returns', async () => {
    const iat = Math.floor(Date.now() / 1000)
    let refreshedSubject = 'ada'
    const method: AuthMethod<undefined> = {
      id: 'turncoat',
      signIn: async () => ({ accessToken: fakeJwt({ sub: 'ada', iat, exp: iat + 300 }), refreshToken: 'rt' }),
      refresh: async () => ({
        accessToken: fakeJwt({ sub: refreshedSubject, iat, exp: iat + 600 }),
        refreshToken: 'rt2',
      }),
    }
    const { client } = testClient({ methods: [method] })
    const session = await client.signIn()
    refreshedSubject = 'mallory'
    await expect(client.refresh()).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      cause: { code: 'INVALID_RESPONSE' },
    })
    expect(client.getSession()?.subject).not.toBe('mallory')
    const seen: string[] = []
    client.onAuthStateChange((s) => {
      if (s) seen.push(s.subject)
    })
    expect(seen).not.toContain('mallory')
    expect(session.subject).toBe('ada')
  })
})
