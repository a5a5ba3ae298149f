import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest'
import { memoryStorage, type SessionClient, type SessionError } from '../../src/index.js'
import { holdsNoSession } from '../kit/storedToken.js'
import { testClient } from '../kit/testClient.js'

describe('refresh', () => {
  let client: SessionClient
  let fixture: ReturnType<typeof testClient>
  let errors: SessionError[]
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') })
    fixture = testClient()
    client = fixture.client
    errors = []
    client.errors$.subscribe((e) => errors.push(e))
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('concurrent refresh() calls make one method call and share its result', async () => {
    await client.signIn()
    fixture.state.refreshDelayMs = 50
    const results = Promise.all([
      client.refresh(),
      client.refresh(),
      client.refresh(),
      client.getAccessToken(),
    ])
    await vi.advanceTimersByTimeAsync(60)
    const [a, b, c] = await results
    expect(fixture.state.refreshes).toBe(1)
    expect(new Set([a, b, c]).size).toBe(1)
    expect(a).toBe(client.getSession()?.accessToken)
  })

  it('retries a transient failure with backoff while the token is valid, then succeeds', async () => {
    await client.signIn()
    fixture.state.plan.push('network', 'server')
    await vi.advanceTimersByTimeAsync(240_000) // the refresh window opens
    expect(fixture.state.refreshes).toBe(1)
    expect(client.getStatus()).toBe('refreshing')
    await vi.advanceTimersByTimeAsync(1_000) // first retry lands within 0.5–1 s
    expect(fixture.state.refreshes).toBe(2)
    await vi.advanceTimersByTimeAsync(2_000) // second retry within 1–2 s
    expect(fixture.state.refreshes).toBe(3)
    expect(client.getStatus()).toBe('active')
    expect(errors.map((e) => e.code)).toEqual(['NETWORK', 'NETWORK'])
  })

  it('a rejection ends the session in expired with reason refresh_rejected', async () => {
    await client.signIn()
    fixture.state.plan.push('reject')
    await expect(client.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(client.getStatus()).toBe('expired')
    expect(client.getSession()).toBeNull()
    expect(await client.getAccessToken()).toBeNull()
  })

  it('transient failures until the token runs out end in expired, and the network coming back recovers', async () => {
    await client.signIn()
    fixture.state.plan.push(...Array(20).fill('network'))
    await vi.advanceTimersByTimeAsync(301_000)
    expect(client.getStatus()).toBe('expired')
    let replayed: string | undefined
    client.onSessionExpired((e) => {
      replayed = e.reason
    })
    expect(replayed).toBe('refresh_failed')
    fixture.state.plan.length = 0
    await expect(client.refresh()).resolves.toEqual(expect.any(String))
    expect(client.getStatus()).toBe('active')
  })

  it('a refresh result that arrives after signOut() is discarded (the commit guard)', async () => {
    await client.signIn()
    fixture.state.refreshDelayMs = 100
    fixture.state.refreshAbortable = false // the answer arrives after signOut(), for the guard to drop
    const pending = client.refresh().catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(10)
    await client.signOut()
    await vi.advanceTimersByTimeAsync(200)
    expect(await pending).toMatchObject({ code: 'NO_SESSION' })
    expect(client.getStatus()).toBe('signedOut')
    expect(client.getSession()).toBeNull()
  })

  it('a tab that slept past expiry never hands out the expired token: getAccessToken refreshes first', async () => {
    const session = await client.signIn()
    // Sleep: the clock jumps without timers firing.
    vi.setSystemTime(Date.now() + 10 * 60_000)
    expect(client.isExpired).toBe(true)
    expect(client.getSession()).toBeNull()
    const token = await client.getAccessToken()
    expect(token).not.toBe(session.accessToken)
    expect(fixture.state.refreshes).toBe(1)
    expect(client.isExpired).toBe(false)
    expect(client.expiresInSecs).toBe(300)
  })

  it('a token handed over already expired is refreshed at once, not after the short-lived floor', async () => {
    const exp = Math.floor(Date.now() / 1000) - 5
    const { refreshToken } = fixture.service.login('u')
    await client.setTokens(
      { accessToken: 'handed-over', refreshToken, subject: 'u', expiresAt: exp },
      { method: fixture.method.id },
    )
    let token: string | null | undefined
    void client.getAccessToken().then((t) => {
      token = t
    })
    // Well under the one-second floor a just-minted short-lived token would wait for.
    await vi.advanceTimersByTimeAsync(100)
    expect(token).toEqual(expect.any(String))
    expect(token).not.toBe('handed-over')
    expect(fixture.state.refreshes).toBe(1)
  })

  it('a session without refresh support expires at its expiry and says so', async () => {
    const noRefresh = testClient({ methods: [] }).client
    const exp = Math.floor(Date.now() / 1000) + 120
    await noRefresh.setTokens({ accessToken: 'opaque', subject: 'u', expiresAt: exp })
    await vi.advanceTimersByTimeAsync(119_000)
    expect(noRefresh.getStatus()).toBe('active')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(noRefresh.getStatus()).toBe('expired')
  })

  it('signOut() never rejects: storage is cleared at once even when the server hangs or fails', async () => {
    const storage = memoryStorage()
    const { client: c, method } = testClient({ appId: 'so', storage, signOutTimeoutMs: 500 })
    method.signOut = () => new Promise<void>(() => undefined)
    const seen: SessionError[] = []
    c.errors$.subscribe((e) => seen.push(e))
    await c.signIn()
    await expect(c.signOut()).resolves.toBeUndefined()
    expect(holdsNoSession(storage, 'tessera:so:session')).toBe(true)
    await vi.advanceTimersByTimeAsync(501)
    expect(seen.map((e) => e.code)).toEqual(['TIMEOUT'])

    method.signOut = async () => {
      throw new TypeError('fetch failed')
    }
    await c.signIn()
    await expect(c.signOut()).resolves.toBeUndefined()
    expect(c.getStatus()).toBe('signedOut')
  })

  it('after destroy() no timer, listener or actor is left', async () => {
    await client.signIn()
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    let completed = false
    client.authState$.subscribe({ complete: () => (completed = true) })
    client.destroy()
    expect(vi.getTimerCount()).toBe(0)
    expect(completed).toBe(true)
    expect(client.actor.getSnapshot().status).toBe('stopped')
    await expect(client.refresh()).rejects.toMatchObject({ code: 'DESTROYED' })
  })
})

describe('a network that stays down', () => {
  it('does not hammer the server: retries back off exponentially up to 30 s, with jitter', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') })
    onTestFinished(() => {
      vi.useRealTimers()
    })
    const fixture = testClient({}, { lifetimeSeconds: 3600 })
    const client = fixture.client
    await client.signIn()
    fixture.state.plan.push(...Array(500).fill('network'))
    await vi.advanceTimersByTimeAsync(3540_000) // the refresh window opens after 59 minutes
    const start = fixture.state.refreshes
    expect(start).toBe(1)
    await vi.advanceTimersByTimeAsync(55_000) // the minute before expiry
    const attempts = fixture.state.refreshes - start
    // 1, 2, 4, 8, 16, 30, 30 … seconds (halved at most by jitter): a handful, not hundreds.
    expect(attempts).toBeGreaterThanOrEqual(4)
    expect(attempts).toBeLessThanOrEqual(10)
  })
})
